package dev.eventmall.devstack;

import dev.eventmall.common.testing.Infra;
import dev.eventmall.common.testing.Needs;
import dev.eventmall.emulators.toss.LedgerEntry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The storefront in a real browser (issue 13): headless Chromium from Debian's {@code chromium} and
 * {@code chromium-driver} packages, driven by Selenium, against the platform with the Toss emulator's SDK stand-in and
 * payment windows. A seller adds a product and finds it through search; a new customer signs up, registers a card in
 * the billing-auth window, searches "무선", orders and follows the order to DELIVERED on its page; a second order is
 * paid in the checkout window; a third is cancelled in the window (Toss's message, the order still payable) and then
 * paid; a declined card shows Toss's message and the order ends PAYMENT_FAILED with no charge.
 * Screenshots of each page go to {@code target/storefront-screenshots/}. Skipped, saying why, where the two packages are
 * not installed ({@code .ci/run} installs them).
 */
@Needs({Infra.KAFKA, Infra.MYSQL, Infra.REDIS, Infra.CASSANDRA})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StorefrontBrowserTest {
  static final Path SHOTS = Path.of("target", "storefront-screenshots");
  static final Duration SAGA = Duration.ofSeconds(90);
  static final String UNIQUE = UUID.randomUUID().toString().substring(0, 8);
  static final String PRODUCT = "무선 충전 패드 " + UNIQUE;
  static final String DECLINED_CARD = "4330123412340000"; // the emulator's REJECT_CARD_COMPANY test card

  static WebDriver driver;
  static String base;
  static int shot;

  @BeforeAll
  static void browser() throws IOException {
    String chromium = firstExisting(System.getenv("CHROME_BIN"), "/usr/bin/chromium", "/usr/bin/chromium-browser");
    String chromedriver = firstExisting(System.getenv("CHROMEDRIVER"), "/usr/bin/chromedriver");
    Assumptions.assumeTrue(chromium != null && chromedriver != null, "StorefrontBrowserTest skipped: no Chromium "
      + "and ChromeDriver here (install Debian's chromium and chromium-driver packages; .ci/run does when it can)");
    ChromeOptions options = new ChromeOptions().setBinary(chromium).addArguments("--headless=new", "--no-sandbox",
      "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,1000", "--lang=ko-KR");
    driver = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(new File(chromedriver))
      .build(), options);
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    base = "http://127.0.0.1:" + E2E.platform().ports().get("storefront");
    Files.createDirectories(SHOTS);
  }

  @AfterAll
  static void close() {
    if (driver != null) {
      driver.quit();
    }
  }

  @Test
  @Order(1)
  void aSellerAddsAProductAndFindsItThroughSearch() {
    signUp("SELLER");
    waitFor(ExpectedConditions.urlContains("/seller"));
    type("p-name", PRODUCT);
    type("p-description", "브라우저 테스트 상품");
    type("p-category", "audio");
    type("p-price", "32000");
    type("p-stock", "20");
    screenshot("seller-new-product");
    click("product-save");
    waitFor(ExpectedConditions.textToBePresentInElementLocated(By.id("seller-products"), PRODUCT));
    screenshot("seller-products");
    // edit it: the price goes up, the list shows it
    driver.findElements(By.cssSelector("#seller-products .seller-product")).stream()
      .filter(li -> li.getText().contains(PRODUCT)).findFirst().orElseThrow()
      .findElement(By.linkText("수정")).click();
    waitFor(ExpectedConditions.attributeToBe(By.id("p-name"), "value", PRODUCT));
    type("p-price", "33000");
    screenshot("seller-edit-product");
    click("product-save");
    waitFor(ExpectedConditions.urlMatches(".*/seller$"));
    waitFor(ExpectedConditions.textToBePresentInElementLocated(By.id("seller-products"), PRODUCT + " · 33,000원"));

    searchUntilFound("무선 " + UNIQUE, "relevance");
    screenshot("seller-search");
    logOut();
  }

  @Test
  @Order(2)
  void aNewCustomerRegistersACardInTheBillingAuthWindowAndAnOrderReachesDelivered() {
    signUp("CUSTOMER");
    driver.get(base + "/card");
    waitFor(ExpectedConditions.textToBePresentInElementLocated(By.id("card-status"), "등록된 카드 없음"));
    screenshot("card-none");
    click("register-card");
    // Toss's billing-auth window (the emulator's): the card number is typed there, never into the storefront
    waitFor(ExpectedConditions.visibilityOfElementLocated(By.id("card-number")));
    assertThat(driver.getCurrentUrl()).contains("/window/billing-auth").doesNotContain(base);
    screenshot("toss-billing-auth-window");
    click("register");
    waitFor(ExpectedConditions.visibilityOfElementLocated(By.id("card-registered")));
    assertThat(text("card-registered")).contains("43301234****");
    screenshot("card-registered");

    String orderId = orderFromSearch("무선", true);
    awaitOrderStatus("DELIVERED");
    assertThat(text("payment-status")).isEqualTo("DONE");
    assertThat(text("delivery-status")).isEqualTo("DELIVERED");
    assertThat(text("tracking-number")).isNotBlank();
    assertThat(driver.findElements(By.cssSelector("#timeline .timeline-entry")).stream().map(WebElement::getText))
      .anyMatch(t -> t.contains("PaymentCompleted")).anyMatch(t -> t.contains("DeliveryCompleted")
        || t.contains("DELIVERED"));
    screenshot("order-delivered");
    assertThat(toss().charges(orderId)).hasSize(1);
  }

  @Test
  @Order(3)
  void aSecondOrderIsPaidInTheCheckoutWindow() {
    String orderId = orderFromSearch("무선", false);
    waitFor(ExpectedConditions.elementToBeClickable(By.id("pay-now")));
    screenshot("order-awaiting-checkout");
    click("pay-now");
    waitFor(ExpectedConditions.visibilityOfElementLocated(By.id("pay")));
    assertThat(driver.getCurrentUrl()).contains("/window/payment");
    assertThat(text("order-name")).contains(PRODUCT);
    screenshot("toss-payment-window");
    click("pay");
    // success redirect → the storefront confirms (amount checked server-side) → back on the order page
    waitFor(ExpectedConditions.urlContains("/order/" + orderId));
    awaitOrderStatus("DELIVERED");
    screenshot("checkout-order-delivered");
    List<LedgerEntry> charges = toss().charges(orderId);
    assertThat(charges).hasSize(1);
    assertThat(charges.get(0).type()).isEqualTo("NORMAL");
  }

  /**
   * Issue 13: a customer who cancels in Toss's payment window (the emulator's cancel button redirects to failUrl with
   * {@code code=PAY_PROCESS_CANCELED}, as Toss does when the buyer closes the window) sees Toss's message, and the order
   * is still payable — AWAITING_PAYMENT, the pay button back, nothing at Toss — and paying it then goes through.
   */
  @Test
  @Order(4)
  void aCustomerWhoCancelsInThePaymentWindowSeesTossMessageAndTheOrderStaysPayable() {
    String orderId = orderFromSearch("무선", false);
    click("pay-now");
    waitFor(ExpectedConditions.visibilityOfElementLocated(By.id("cancel")));
    assertThat(driver.getCurrentUrl()).contains("/window/payment");
    click("cancel");
    waitFor(ExpectedConditions.urlContains("/pay/fail"));
    assertThat(driver.getCurrentUrl()).contains("code=PAY_PROCESS_CANCELED").contains("orderId=" + orderId);
    assertThat(text("pay-error")).isEqualTo("사용자에 의해 결제가 취소되었습니다. (PAY_PROCESS_CANCELED)");
    screenshot("checkout-cancelled");
    click("back-to-order");
    waitFor(ExpectedConditions.urlContains("/order/" + orderId));
    awaitOrderStatus("AWAITING_PAYMENT");
    waitFor(ExpectedConditions.elementToBeClickable(By.id("pay-now")));
    assertThat(text("payment-status")).isEqualTo("AWAITING_CHECKOUT");
    screenshot("order-still-payable");
    assertThat(toss().ledger().stream().filter(e -> orderId.equals(e.orderId()))).isEmpty();

    click("pay-now");
    waitFor(ExpectedConditions.visibilityOfElementLocated(By.id("pay")));
    click("pay");
    waitFor(ExpectedConditions.urlContains("/order/" + orderId));
    new WebDriverWait(driver, SAGA).until(ExpectedConditions.textToBe(By.id("payment-status"), "DONE"));
    assertThat(toss().charges(orderId)).hasSize(1);
  }

  @Test
  @Order(5)
  void aDeclinedCardShowsTossMessageAndTheOrderEndsPaymentFailedWithNoCharge() {
    String orderId = orderFromSearch("무선", false);
    waitFor(ExpectedConditions.elementToBeClickable(By.id("pay-now")));
    click("pay-now");
    waitFor(ExpectedConditions.visibilityOfElementLocated(By.id("card-number")));
    type("card-number", DECLINED_CARD);
    click("pay");
    waitFor(ExpectedConditions.visibilityOfElementLocated(By.id("pay-error")));
    // Toss's own words for REJECT_CARD_COMPANY (the payment row keeps Toss's message; the page shows it)
    assertThat(text("pay-error")).contains("The card company rejected the payment.");
    screenshot("checkout-declined");
    click("back-to-order");
    awaitOrderStatus("PAYMENT_FAILED");
    assertThat(text("payment-failure")).contains("The card company rejected the payment.");
    screenshot("order-payment-failed");
    assertThat(toss().charges(orderId)).isEmpty();
    assertThat(toss().ledger().stream().filter(e -> orderId.equals(e.orderId())).map(LedgerEntry::kind))
      .containsExactly(LedgerEntry.Kind.DECLINE);
  }

  // ---------------------------------------------------------------- steps

  void signUp(String role) {
    driver.get(base + "/signup");
    type("signup-email", role.toLowerCase() + "-" + UUID.randomUUID() + "@example.com");
    type("signup-password", "browser-pass-" + UNIQUE);
    type("signup-name", "브라우저 " + role);
    new Select(driver.findElement(By.id("signup-role"))).selectByValue(role);
    screenshot("signup-" + role.toLowerCase());
    click("signup-submit");
    waitFor(ExpectedConditions.visibilityOfElementLocated(By.id("whoami")));
  }

  void logOut() {
    click("nav-logout");
    waitFor(ExpectedConditions.visibilityOfElementLocated(By.id("nav-login")));
  }

  /** Searches with the header's box, switches to newest first, opens the test's product and orders one. */
  String orderFromSearch(String query, boolean savedCard) {
    driver.get(base + "/");
    type("q", query);
    click("search-submit");
    waitFor(ExpectedConditions.urlContains("/search"));
    new Select(driver.findElement(By.id("sort"))).selectByValue("newest");
    waitFor(ExpectedConditions.urlContains("sort=newest"));
    WebElement link = waitFor(ExpectedConditions.elementToBeClickable(By.linkText(PRODUCT)));
    screenshot("search-" + (savedCard ? "billing" : "checkout"));
    link.click();
    waitFor(ExpectedConditions.textToBePresentInElementLocated(By.id("product-name"), PRODUCT));
    if (!driver.findElements(By.id("addr-save")).isEmpty()) {
      type("addr-recipient", "김브라우저");
      type("addr-phone", "010-1234-5678");
      type("addr-zip", "04524");
      type("addr-line1", "서울특별시 중구 세종대로 110");
      type("addr-line2", "101호");
      click("addr-save");
      waitFor(ExpectedConditions.visibilityOfElementLocated(By.id("address")));
    }
    click(savedCard ? "pay-billing" : "pay-checkout");
    screenshot("product-" + (savedCard ? "billing" : "checkout"));
    click("order-submit");
    waitFor(ExpectedConditions.urlContains("/order/"));
    String url = driver.getCurrentUrl();
    return url.substring(url.lastIndexOf('/') + 1);
  }

  void searchUntilFound(String query, String sort) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      driver.get(base + "/search?q=" + URLEncoder.encode(query, StandardCharsets.UTF_8) + "&sort=" + sort);
      waitFor(ExpectedConditions.not(ExpectedConditions.textToBe(By.id("search-status"), "검색 중…")));
      if (!driver.findElements(By.linkText(PRODUCT)).isEmpty()) {
        return;
      }
      assertThat(System.nanoTime()).as("%s found by search", PRODUCT).isLessThan(deadline);
      sleep(500);
    }
  }

  void awaitOrderStatus(String status) {
    new WebDriverWait(driver, SAGA).until(ExpectedConditions.textToBe(By.id("order-status"), status));
  }

  // ---------------------------------------------------------------- driver helpers

  static dev.eventmall.emulators.toss.TossEmulator toss() {
    return E2E.platform().emulators().toss();
  }

  static <T> T waitFor(org.openqa.selenium.support.ui.ExpectedCondition<T> condition) {
    return new WebDriverWait(driver, Duration.ofSeconds(30)).until(condition);
  }

  static void type(String id, String value) {
    WebElement input = waitFor(ExpectedConditions.visibilityOfElementLocated(By.id(id)));
    input.clear();
    input.sendKeys(value);
  }

  static void click(String id) {
    waitFor(ExpectedConditions.elementToBeClickable(By.id(id))).click();
  }

  static String text(String id) {
    return waitFor(ExpectedConditions.visibilityOfElementLocated(By.id(id))).getText();
  }

  static void screenshot(String name) {
    try {
      File file = ((org.openqa.selenium.TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
      Files.copy(file.toPath(), SHOTS.resolve(String.format("%02d-%s.png", ++shot, name)),
        StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static String firstExisting(String... paths) {
    for (String p : paths) {
      if (p != null && Files.isExecutable(Path.of(p))) {
        return p;
      }
    }
    return null;
  }
}
