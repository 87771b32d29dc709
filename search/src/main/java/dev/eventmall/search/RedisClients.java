package dev.eventmall.search;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;

/** The pooled Redis client every verticle of the service creates for itself. */
final class RedisClients {
  private RedisClients() {
  }

  static Redis create(Vertx vertx, SearchSettings settings) {
    return create(vertx, settings, settings.redisPoolSize());
  }

  static Redis create(Vertx vertx, SearchSettings settings, int poolSize) {
    return Redis.createClient(vertx, new RedisOptions()
      .setConnectionString(settings.redisUrl())
      .setMaxPoolSize(poolSize)
      .setMaxPoolWaiting(1024)
      .setMaxWaitingHandlers(4096));
  }
}
