package dev.eventmall.payment.client;

import java.time.Instant;

/**
 * One HTTP exchange with Toss, as logged in {@code payment_attempts}.
 *
 * @param operation      {@code charge}, {@code confirm}, {@code cancel}, {@code billing-auth}, {@code lookup}
 * @param orderId        the order, or null (billing authorization)
 * @param idempotencyKey the key sent, null for GET
 * @param httpStatus     Toss's status, 0 without an answer
 * @param code           Toss's error code or a local one ({@code TIMEOUT}, ...), null on success
 */
public record TossAttempt(String operation, String orderId, String idempotencyKey, int httpStatus, String code,
                          long durationMs, Instant at) {
}
