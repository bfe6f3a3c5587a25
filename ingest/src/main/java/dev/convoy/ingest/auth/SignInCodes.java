package dev.convoy.ingest.auth;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
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

    /**
     * How often one phone or one address may ask.
     *
     * @param keepPendingFor how long a code is safe from being replaced by a request from another address
     * @param failedChecksPerPhonePerDay wrong codes one phone may be tried with in a day, from any address
     */
    public record Limits(Duration resendAfter, int codesPerPhonePerHour, int codesPerAddressPerHour,
                         int checksPerAddressPerHour, Duration keepPendingFor, int failedChecksPerPhonePerDay) {
        public static Limits defaults() {
            return new Limits(Duration.ofSeconds(30), 5, 20, 60, Duration.ofMinutes(1), 20);
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

    private record Pending(byte[] hash, Instant issued, Instant expires, int attemptsLeft, String address) {
    }

    private static final Duration HOUR = Duration.ofHours(1);
    private static final Duration DAY = Duration.ofDays(1);

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
    public Request request(String phone, String clientAddress) {
        Instant now = clock.instant();
        String address = addressGroup(clientAddress);
        long wait = Math.max(waitFor("phone-min:" + phone, 1, limits.resendAfter(), now),
                Math.max(waitFor("phone:" + phone, limits.codesPerPhonePerHour(), HOUR, now),
                        waitFor("addr:" + address, limits.codesPerAddressPerHour(), HOUR, now)));
        Pending current = pending.get(phone);
        if (current != null && !current.address().equals(address) && now.isBefore(current.issued().plus(limits.keepPendingFor()))
                && now.isBefore(current.expires())) {
            // Someone else asking for the same number must not void the code its owner is typing in.
            wait = Math.max(wait, Duration.between(now, current.issued().plus(limits.keepPendingFor())).toSeconds() + 1);
        }
        if (wait > 0) {
            return new Request(null, wait);
        }
        note("phone-min:" + phone, now);
        note("phone:" + phone, now);
        note("addr:" + address, now);
        String code = String.format("%06d", random.nextInt(1_000_000));
        pending.put(phone, new Pending(hash(phone, code), now, now.plus(CODE_LIFETIME), MAX_ATTEMPTS, address));
        return new Request(code, 0);
    }

    /** Checks a code; a right one is used up, and so is a code after its fifth wrong try. */
    /** Whether a code sent to {@code phone} from this node is still waiting to be typed in. */
    public boolean isPending(String phone) {
        Pending p = pending.get(phone);
        return p != null && clock.instant().isBefore(p.expires());
    }

    public Check check(String phone, String code, String clientAddress) {
        Instant now = clock.instant();
        String address = addressGroup(clientAddress);
        // Per address and per phone: guessing from many addresses still meets the phone's daily cap.
        long wait = Math.max(waitFor("check:" + address, limits.checksPerAddressPerHour(), HOUR, now),
                waitFor("failed:" + phone, limits.failedChecksPerPhonePerDay(), DAY, now));
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
            return left == 0 ? null : new Pending(p.hash(), p.issued(), p.expires(), left, p.address());
        });
        if (result[0].outcome() == Outcome.WRONG_CODE) {
            note("failed:" + phone, now);
        }
        return result[0];
    }

    /**
     * The group an address counts in: an IPv4 address alone, an IPv6 address by its /64 (one
     * subscriber line is given a whole /64, so single IPv6 addresses cost an attacker nothing).
     */
    static String addressGroup(String address) {
        if (address == null || address.indexOf(':') < 0) {
            return String.valueOf(address);
        }
        try {
            byte[] bytes = InetAddress.getByName(address).getAddress();
            if (bytes.length != 16) {
                return address;
            }
            return HexFormat.of().formatHex(bytes, 0, 8) + "::/64";
        } catch (UnknownHostException e) {
            // Not an address literal (it never is one here): count it as it is.
            return address;
        }
    }

    /** Drops expired codes and old request times; run every minute or so. */
    public void prune() {
        Instant now = clock.instant();
        pending.values().removeIf(p -> !now.isBefore(p.expires()));
        recent.entrySet().removeIf(e -> {
            synchronized (e.getValue()) {
                e.getValue().removeIf(t -> t.isBefore(now.minus(DAY)));
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
