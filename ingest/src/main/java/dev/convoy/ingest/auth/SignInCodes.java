package dev.convoy.ingest.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One-time sign-in codes sent by SMS: six digits, alive five minutes, five tries. Asking
 * too often, by phone or by client address, is slowed with a wait to retry after. Codes are
 * kept hashed, in this process's memory.
 */
public final class SignInCodes {

    public static final Duration CODE_LIFETIME = Duration.ofMinutes(5);
    public static final int MAX_ATTEMPTS = 5;

    /** How often one phone or one address may ask. */
    public record Limits(Duration resendAfter, int codesPerPhonePerHour, int codesPerAddressPerHour,
                         int checksPerAddressPerHour) {
        public static Limits defaults() {
            return new Limits(Duration.ofSeconds(30), 5, 20, 60);
        }
    }

    /** The answer to a request for a code: the code to send, or how long to wait first. */
    public record Request(String code, long retryAfterSeconds) {
        public boolean issued() {
            return code != null;
        }
    }

    public enum Outcome { SIGNED_IN, WRONG_CODE, NO_CODE, SLOWED }

    /** The answer to a code typed in. */
    public record Check(Outcome outcome, int attemptsLeft, long retryAfterSeconds) {
    }

    private record Pending(byte[] hash, Instant expires, int attemptsLeft) {
    }

    private static final Duration HOUR = Duration.ofHours(1);

    private final Clock clock;
    private final Limits limits;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final Map<String, Deque<Instant>> recent = new ConcurrentHashMap<>();

    public SignInCodes(Clock clock, Limits limits) {
        this.clock = clock;
        this.limits = limits;
    }

    /** A new code for {@code phone} (replacing any earlier one), unless the phone or the address asked too often. */
    public Request request(String phone, String address) {
        Instant now = clock.instant();
        long wait = Math.max(waitFor("phone-min:" + phone, 1, limits.resendAfter(), now),
                Math.max(waitFor("phone:" + phone, limits.codesPerPhonePerHour(), HOUR, now),
                        waitFor("addr:" + address, limits.codesPerAddressPerHour(), HOUR, now)));
        if (wait > 0) {
            return new Request(null, wait);
        }
        note("phone-min:" + phone, now);
        note("phone:" + phone, now);
        note("addr:" + address, now);
        String code = String.format("%06d", random.nextInt(1_000_000));
        pending.put(phone, new Pending(hash(phone, code), now.plus(CODE_LIFETIME), MAX_ATTEMPTS));
        return new Request(code, 0);
    }

    /** Checks a code; a right one is used up, and so is a code after its fifth wrong try. */
    public Check check(String phone, String code, String address) {
        Instant now = clock.instant();
        long wait = waitFor("check:" + address, limits.checksPerAddressPerHour(), HOUR, now);
        if (wait > 0) {
            return new Check(Outcome.SLOWED, 0, wait);
        }
        note("check:" + address, now);
        Check[] result = new Check[1];
        pending.compute(phone, (k, p) -> {
            if (p == null || !now.isBefore(p.expires())) {
                result[0] = new Check(Outcome.NO_CODE, 0, 0);
                return null;
            }
            if (code != null && MessageDigest.isEqual(p.hash(), hash(phone, code))) {
                result[0] = new Check(Outcome.SIGNED_IN, 0, 0);
                return null;
            }
            int left = p.attemptsLeft() - 1;
            result[0] = new Check(Outcome.WRONG_CODE, left, 0);
            return left == 0 ? null : new Pending(p.hash(), p.expires(), left);
        });
        return result[0];
    }

    /** Drops expired codes and old request times; run every minute or so. */
    public void prune() {
        Instant now = clock.instant();
        pending.values().removeIf(p -> !now.isBefore(p.expires()));
        recent.entrySet().removeIf(e -> {
            synchronized (e.getValue()) {
                e.getValue().removeIf(t -> t.isBefore(now.minus(HOUR)));
                return e.getValue().isEmpty();
            }
        });
    }

    /** Seconds until one more event under {@code key} fits {@code max} per {@code window}; 0 when it fits now. */
    private long waitFor(String key, int max, Duration window, Instant now) {
        Deque<Instant> times = recent.get(key);
        if (times == null) {
            return 0;
        }
        synchronized (times) {
            Instant windowStart = now.minus(window);
            long inWindow = times.stream().filter(t -> t.isAfter(windowStart)).count();
            if (inWindow < max) {
                return 0;
            }
            Instant oldestCounted = times.stream().filter(t -> t.isAfter(windowStart)).skip(inWindow - max).findFirst().orElse(now);
            return Math.max(1, Duration.between(now, oldestCounted.plus(window)).toSeconds() + 1);
        }
    }

    private void note(String key, Instant now) {
        Deque<Instant> times = recent.computeIfAbsent(key, k -> new ArrayDeque<>());
        synchronized (times) {
            times.addLast(now);
            while (times.size() > 64) {
                times.removeFirst();
            }
        }
    }

    private static byte[] hash(String phone, String code) {
        try {
            return MessageDigest.getInstance("SHA-256").digest((phone + ":" + code).getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
