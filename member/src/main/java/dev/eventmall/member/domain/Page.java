package dev.eventmall.member.domain;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.function.Function;

/** One page of a list: {@code page} is 0-based. */
public record Page<T>(List<T> items, int page, int size, long total) {

  public JsonObject toJson(Function<T, JsonObject> item) {
    return new JsonObject().put("items", new JsonArray(items.stream().map(item).toList())).put("page", page)
      .put("size", size).put("total", total);
  }
}
