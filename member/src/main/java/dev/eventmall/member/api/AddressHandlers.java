package dev.eventmall.member.api;

import dev.eventmall.common.auth.AuthHandlers;
import dev.eventmall.common.event.Topics;
import dev.eventmall.common.http.ProblemException;
import dev.eventmall.common.outbox.Outbox;
import dev.eventmall.member.domain.Address;
import dev.eventmall.member.domain.AddressInput;
import dev.eventmall.member.domain.Ids;
import dev.eventmall.member.domain.Page;
import dev.eventmall.member.messaging.MemberEvents;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The member's own shipping addresses. Every query is scoped by the token's subject, so another member's address id is
 * simply not found (404), never forbidden: its existence is not revealed either.
 */
final class AddressHandlers {

  static final int MAX_ADDRESSES = 20;

  private final MemberApi.Deps deps;

  AddressHandlers(MemberApi.Deps deps) {
    this.deps = deps;
  }

  /** GET /members/me/addresses?page=0&size=20 */
  Future<JsonObject> list(RoutingContext ctx) {
    String memberId = AuthHandlers.principal(ctx).subject();
    int page = Inputs.queryInt(ctx, "page", 0);
    int size = Inputs.queryInt(ctx, "size", 20);
    var items = deps.addresses().page(deps.pool(), memberId, page, size);
    var total = deps.addresses().count(deps.pool(), memberId);
    return Future.all(items, total).map(all -> new Page<>(items.result(), page, size, total.result())
      .toJson(Address::toJson));
  }

  /** POST /members/me/addresses: 201; the first address becomes the default; AddressAdded goes out via the outbox. */
  void create(RoutingContext ctx) {
    String memberId = AuthHandlers.principal(ctx).subject();
    AddressInput in = Inputs.address(dev.eventmall.common.http.ContractRoutes.body(ctx));
    deps.pool().withTransaction(conn -> deps.members().lock(conn, memberId)
        .compose(member -> member == null
          ? Future.failedFuture(ProblemException.notFound("The member does not exist"))
          : deps.addresses().count(conn, memberId))
        .compose(count -> {
          if (count >= MAX_ADDRESSES) {
            return Future.failedFuture(ProblemException.of(409, "address-limit", "Too many addresses",
              "A member can keep at most " + MAX_ADDRESSES + " addresses"));
          }
          Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
          Address address = new Address(Ids.newId(), memberId, in.recipient(), in.phone(), in.zipCode(), in.line1(),
            in.line2(), in.isDefault() || count == 0, now, now);
          return deps.addresses().insert(conn, address)
            .compose(a -> a.isDefault() ? deps.addresses().clearOtherDefaults(conn, memberId, a.id()).map(a)
              : Future.succeededFuture(a))
            .compose(a -> Outbox.append(conn, Topics.MEMBER_EVENTS, MemberEvents.addressAdded(a)).map(a));
        }))
      .onSuccess(a -> {
        ctx.response().setStatusCode(201).putHeader("Location", "/members/me/addresses/" + a.id());
        ctx.json(a.toJson());
      })
      .onFailure(ctx::fail);
  }

  /** GET /members/me/addresses/:addressId */
  Future<JsonObject> one(RoutingContext ctx) {
    String memberId = AuthHandlers.principal(ctx).subject();
    String id = Inputs.pathId(ctx, "addressId");
    return deps.addresses().one(deps.pool(), memberId, id).compose(AddressHandlers::found).map(Address::toJson);
  }

  /** PUT /members/me/addresses/:addressId: replaces the editable fields. */
  Future<JsonObject> replace(RoutingContext ctx) {
    String memberId = AuthHandlers.principal(ctx).subject();
    String id = Inputs.pathId(ctx, "addressId");
    AddressInput in = Inputs.address(dev.eventmall.common.http.ContractRoutes.body(ctx));
    Instant now = Instant.now();
    return deps.pool().withTransaction(conn -> deps.members().lock(conn, memberId)
        .compose(m -> deps.addresses().update(conn, memberId, id, in, now))
        .compose(updated -> !updated ? Future.failedFuture(ProblemException.notFound("No such address"))
          : in.isDefault() ? deps.addresses().clearOtherDefaults(conn, memberId, id) : Future.<Void>succeededFuture())
        .compose(v -> deps.addresses().one(conn, memberId, id)))
      .compose(AddressHandlers::found)
      .map(Address::toJson);
  }

  /** DELETE /members/me/addresses/:addressId: 204, or 404 when the member has no such address. */
  void delete(RoutingContext ctx) {
    String memberId = AuthHandlers.principal(ctx).subject();
    String id = Inputs.pathId(ctx, "addressId");
    deps.addresses().delete(deps.pool(), memberId, id)
      .onSuccess(deleted -> {
        if (deleted) {
          ctx.response().setStatusCode(204).end();
        } else {
          ctx.fail(ProblemException.notFound("No such address"));
        }
      })
      .onFailure(ctx::fail);
  }

  private static Future<Address> found(Address a) {
    return a == null ? Future.failedFuture(ProblemException.notFound("No such address")) : Future.succeededFuture(a);
  }
}
