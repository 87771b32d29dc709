package dev.eventmall.payment;

import dev.eventmall.common.ServiceMain;

/** Runs the payment service from the environment (see {@link ServiceMain}). */
public final class Main {
  private Main() {
  }

  public static void main(String[] args) {
    ServiceMain.run("payment", (vertx, config, metrics) ->
      PaymentApp.deploy(vertx, config, metrics));
  }
}
