package dev.eventmall.member.api;

import dev.eventmall.common.auth.AuthHandlers;
import dev.eventmall.common.http.ProblemException;
import dev.eventmall.common.http.ContractRoutes;
import dev.eventmall.common.http.Validation;
import dev.eventmall.member.Registration;
import dev.eventmall.member.domain.Member;
import dev.eventmall.member.domain.Role;
import dev.eventmall.member.persistence.MemberRepository;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.SqlClient;

import java.time.Instant;
import java.util.Set;

/** Sign-up and the member's own profile. */
final class AccountHandlers {

  private static final Set<String> PATCHABLE = Set.of("name");

  private final MemberApi.Deps deps;
  private final Counter registered;

  AccountHandlers(MemberApi.Deps deps) {
    this.deps = deps;
    this.registered = Counter.builder("member.registered").description("members signed up")
      .register(dev.eventmall.common.metrics.Metrics.registryOf(deps.vertx()));
  }

  /** POST /members {email, password, name, role?}: 201 with the member, 409 when the e-mail is taken. */
  void signUp(RoutingContext ctx) {
    Validation v = Validation.of(ContractRoutes.body(ctx));
    String email = Inputs.email(v.body());
    String name = v.requiredString("name", Inputs.NAME_MAX);
    String password = Inputs.newPassword(v, "password");
    if (password != null) {
      String weak = dev.eventmall.member.domain.PasswordPolicy.violation(password, email, name);
      v.check(weak == null, "password", weak);
    }
    // the document allows CUSTOMER and SELLER only: ADMIN accounts are created by configuration
    Role chosen = Role.valueOf(v.body().getString("role", Role.CUSTOMER.name()));
    v.done();
    Registration.register(dev.eventmall.member.PasswordWork.of(deps.vertx(), deps.settings()), deps.pool(), deps.members(), email, password, name, chosen)
      .recover(err -> Future.failedFuture(err instanceof MemberRepository.DuplicateEmailException
        ? ProblemException.of(409, "email-taken", "E-mail already registered",
        "An account with this e-mail address already exists") : err))
      .onSuccess(member -> {
        registered.increment();
        ctx.response().setStatusCode(201).putHeader("Location", "/members/me");
        ctx.json(member.toJson());
      })
      .onFailure(ctx::fail);
  }

  /** GET /members/me */
  Future<JsonObject> me(RoutingContext ctx) {
    String memberId = AuthHandlers.principal(ctx).subject();
    return load(deps.pool(), memberId).map(Member::toJson);
  }

  /** PATCH /members/me {name}: only the name can change here. */
  Future<JsonObject> updateMe(RoutingContext ctx) {
    String memberId = AuthHandlers.principal(ctx).subject();
    Validation v = Validation.of(ContractRoutes.body(ctx)); // the document allows {name} only
    String name = v.requiredString("name", Inputs.NAME_MAX);
    v.done();
    return deps.members().updateName(deps.pool(), memberId, name, Instant.now())
      .compose(updated -> load(deps.pool(), memberId))
      .map(Member::toJson);
  }

  private Future<Member> load(SqlClient client, String memberId) {
    return deps.members().byId(client, memberId).compose(m -> m == null
      ? Future.failedFuture(ProblemException.notFound("The member does not exist")) : Future.succeededFuture(m));
  }
}
