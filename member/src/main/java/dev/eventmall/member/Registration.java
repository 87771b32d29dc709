package dev.eventmall.member;

import dev.eventmall.common.event.Topics;
import dev.eventmall.common.outbox.Outbox;
import dev.eventmall.member.domain.Ids;
import dev.eventmall.member.domain.Member;
import dev.eventmall.member.domain.Passwords;
import dev.eventmall.member.domain.Role;
import dev.eventmall.member.messaging.MemberEvents;
import dev.eventmall.member.persistence.MemberRepository;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Creating an account: shared by sign-up and the admin seed. */
public final class Registration {

  private Registration() {
  }

  /**
   * Hashes the password through {@link PasswordWork}, then inserts the member and its {@code MemberRegistered} event in one
   * transaction. Fails with {@link MemberRepository.DuplicateEmailException} when the e-mail is taken.
   */
  public static Future<Member> register(PasswordWork work, Pool pool, MemberRepository members, String email,
                                        String password, String name, Role role) {
    return work.run(() -> Passwords.hash(password))
      .compose(hash -> {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Member member = new Member(Ids.newId(), email, hash, name, role, now, now);
        return pool.withTransaction(conn -> members.insert(conn, member)
          .compose(m -> Outbox.append(conn, Topics.MEMBER_EVENTS, MemberEvents.memberRegistered(m)).map(m)));
      });
  }
}
