package dev.eventmall.catalog;

import dev.eventmall.common.ServiceMain;

/** Runs the catalog service from the environment (see {@link ServiceMain}). */
public final class Main {
  private Main() {
  }

  public static void main(String[] args) {
    ServiceMain.run("catalog", (vertx, config, metrics) ->
      CatalogApp.deploy(vertx, config, metrics));
  }
}
