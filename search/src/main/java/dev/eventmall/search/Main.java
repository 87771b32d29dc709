package dev.eventmall.search;

import dev.eventmall.common.ServiceMain;

/** Runs the search service from the environment (see {@link ServiceMain}). */
public final class Main {
  private Main() {
  }

  public static void main(String[] args) {
    ServiceMain.run("search", (vertx, config, metrics) ->
      SearchApp.deploy(vertx, config, metrics));
  }
}
