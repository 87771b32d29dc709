package dev.eventmall.member;

import dev.eventmall.common.ServiceMain;

/** Runs the member service from the environment (see {@link ServiceMain}). */
public final class Main {
  private Main() {
  }

  public static void main(String[] args) {
    ServiceMain.run("member", (vertx, config, metrics) ->
      MemberApp.deploy(vertx, config, metrics));
  }
}
