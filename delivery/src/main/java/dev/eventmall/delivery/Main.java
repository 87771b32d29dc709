package dev.eventmall.delivery;

import dev.eventmall.common.ServiceMain;

/** Runs the delivery service from the environment (see {@link ServiceMain}). */
public final class Main {
  private Main() {
  }

  public static void main(String[] args) {
    ServiceMain.run("delivery", (vertx, config, metrics) ->
      DeliveryApp.deploy(vertx, config, metrics));
  }
}
