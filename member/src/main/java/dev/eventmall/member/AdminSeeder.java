package dev.eventmall.member;

import dev.eventmall.member.domain.Role;
import dev.eventmall.member.persistence.MemberRepository;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import dev.eventmall.common.db.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates the configured ADMIN account ({@code ADMIN_EMAIL}/{@code ADMIN_PASSWORD}) at start when it is absent. */
final class AdminSeeder {

  private static final Logger LOG = LoggerFactory.getLogger(AdminSeeder.class);

  private AdminSeeder() {
  }

  static Future<Void> seed(Vertx vertx, String mysqlUri, MemberSettings settings) {
    if (settings.adminSeed().isEmpty()) {
      return Future.succeededFuture();
    }
    MemberSettings.AdminSeed admin = settings.adminSeed().get();
    var pool = Database.pool(vertx, mysqlUri, "member-admin-seed", 1);
    MemberRepository members = new MemberRepository();
    return members.byEmail(pool, admin.email())
      .compose(existing -> {
        if (existing != null) {
          if (existing.role() != Role.ADMIN) {
            LOG.warn("ADMIN_EMAIL {} belongs to a {} account; it is left unchanged", admin.email(), existing.role());
          }
          return Future.<Void>succeededFuture();
        }
        return Registration.register(PasswordWork.of(vertx, settings), pool, members, admin.email(), admin.password(),
            admin.name(), Role.ADMIN)
          .onSuccess(m -> LOG.info("created the ADMIN account {}", m.email()))
          .<Void>mapEmpty()
          .recover(err -> err instanceof MemberRepository.DuplicateEmailException
            ? Future.succeededFuture() : Future.failedFuture(err));
      })
      .eventually(pool::close);
  }
}
