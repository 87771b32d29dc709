package dev.eventmall.order;

import dev.eventmall.common.ServiceMain;

/** Runs the order service from the environment (see {@link ServiceMain}). */
public final class Main {
  private Main() {
  }

  public static void main(String[] args) {
    ServiceMain.run("order", (vertx, config, metrics) ->
      OrderApp.deploy(vertx, config, metrics));
  }
}
