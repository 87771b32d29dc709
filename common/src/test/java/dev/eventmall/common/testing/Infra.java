package dev.eventmall.common.testing;

/** The real servers a test can ask for with {@link Needs}. */
public enum Infra {
  KAFKA, MYSQL, REDIS, CASSANDRA
}
