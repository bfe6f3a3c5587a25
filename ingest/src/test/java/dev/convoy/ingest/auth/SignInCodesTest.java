package dev.convoy.ingest.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class SignInCodesTest {

    private static final String PHONE = "+442079460958";

    /** A clock that moves only when told. */
    static final class Manual extends Clock {
        Instant now = Instant.parse("2026-11-27T10:00:00Z");

        void plus(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    private final Manual clock = new Manual();
    private final SignInCodes codes = new SignInCodes(clock, SignInCodes.Limits.defaults());

    @Test
    void theRightCodeSignsInOnceOnly() {
        String code = codes.request(PHONE, "10.0.0.1").code();
        assertThat(code).matches("[0-9]{6}");
        assertThat(codes.check(PHONE, code, "10.0.0.1").outcome()).isEqualTo(SignInCodes.Outcome.SIGNED_IN);
        assertThat(codes.check(PHONE, code, "10.0.0.1").outcome()).as("used up").isEqualTo(SignInCodes.Outcome.NO_CODE);
    }

    @Test
    void aCodeLivesFiveMinutes() {
        String code = codes.request(PHONE, "10.0.0.1").code();
        clock.plus(Duration.ofMinutes(5));
        assertThat(codes.check(PHONE, code, "10.0.0.1").outcome()).isEqualTo(SignInCodes.Outcome.NO_CODE);
    }

    @Test
    void fiveWrongTriesBurnTheCode() {
        String code = codes.request(PHONE, "10.0.0.1").code();
        String wrong = code.equals("000000") ? "000001" : "000000";
        for (int left = 4; left >= 0; left--) {
            SignInCodes.Check check = codes.check(PHONE, wrong, "10.0.0.1");
            assertThat(check.outcome()).isEqualTo(SignInCodes.Outcome.WRONG_CODE);
            assertThat(check.attemptsLeft()).isEqualTo(left);
        }
        assertThat(codes.check(PHONE, code, "10.0.0.1").outcome()).as("even the right code is refused now")
                .isEqualTo(SignInCodes.Outcome.NO_CODE);
    }

    @Test
    void aPhoneThatAsksTooOftenWaits() {
        assertThat(codes.request(PHONE, "10.0.0.1").issued()).isTrue();
        SignInCodes.Request again = codes.request(PHONE, "10.0.0.1");
        assertThat(again.issued()).isFalse();
        assertThat(again.retryAfterSeconds()).isBetween(1L, 31L);
        // From other addresses too (each a minute on, when a pending code may be replaced from anywhere).
        for (int i = 1; i < 5; i++) {
            clock.plus(Duration.ofSeconds(61));
            assertThat(codes.request(PHONE, "10.0.0." + (i + 1)).issued()).as("code %d", i + 1).isTrue();
        }
        clock.plus(Duration.ofSeconds(61));
        SignInCodes.Request sixth = codes.request(PHONE, "10.0.0.9");
        assertThat(sixth.issued()).as("five codes an hour per phone").isFalse();
        assertThat(sixth.retryAfterSeconds()).isBetween(3200L, 3601L);
        clock.plus(Duration.ofSeconds(sixth.retryAfterSeconds()));
        assertThat(codes.request(PHONE, "10.0.0.9").issued()).isTrue();
    }

    @Test
    void anAddressThatAsksForManyPhonesWaits() {
        for (int i = 0; i < 20; i++) {
            assertThat(codes.request("+4420794609" + String.format("%02d", i), "10.9.9.9").issued()).isTrue();
        }
        SignInCodes.Request refused = codes.request("+442079460999", "10.9.9.9");
        assertThat(refused.issued()).isFalse();
        assertThat(codes.request("+442079460999", "10.9.9.8").issued()).as("another address is not slowed").isTrue();
    }

    @Test
    void anAddressThatGuessesTooOftenWaits() {
        codes.request(PHONE, "10.0.0.1");
        for (int i = 0; i < 60; i++) {
            codes.check("+4420794609" + String.format("%02d", i % 90), "123456", "10.7.7.7");
        }
        SignInCodes.Check slowed = codes.check(PHONE, "123456", "10.7.7.7");
        assertThat(slowed.outcome()).isEqualTo(SignInCodes.Outcome.SLOWED);
        assertThat(slowed.retryAfterSeconds()).isPositive();
    }

    @Test
    void pruningKeepsLiveCodes() {
        String code = codes.request(PHONE, "10.0.0.1").code();
        codes.prune();
        assertThat(codes.check(PHONE, code, "10.0.0.1").outcome()).isEqualTo(SignInCodes.Outcome.SIGNED_IN);
    }

    @Test
    void anotherAddressCannotReplaceAPendingCodeInItsFirstMinute() {
        // Once anyone could void the code a victim was typing in, again and again.
        String code = codes.request(PHONE, "198.51.100.7").code();
        clock.plus(Duration.ofSeconds(31));

        SignInCodes.Request attacker = codes.request(PHONE, "203.0.113.9");

        assertThat(attacker.issued()).isFalse();
        assertThat(attacker.retryAfterSeconds()).isBetween(1L, 30L);
        assertThat(codes.check(PHONE, code, "198.51.100.7").outcome()).isEqualTo(SignInCodes.Outcome.SIGNED_IN);
        assertThat(codes.request(PHONE, "198.51.100.7").issued()).as("the owner's own address may ask again").isTrue();
    }

    @Test
    void wrongCodesForOnePhoneAreCappedPerDayFromEveryAddressTogether() {
        // Once 25 guesses an hour, for ever, from addresses enough.
        for (int i = 0; i < 20; i++) {
            codes.request(PHONE, "192.0.2." + i);
            assertThat(codes.check(PHONE, "999999", "192.0.2." + i).outcome()).isEqualTo(SignInCodes.Outcome.WRONG_CODE);
            clock.plus(Duration.ofMinutes(13));
        }
        codes.request(PHONE, "192.0.2.200");

        SignInCodes.Check slowed = codes.check(PHONE, "999999", "192.0.2.200");

        assertThat(slowed.outcome()).isEqualTo(SignInCodes.Outcome.SLOWED);
        assertThat(slowed.retryAfterSeconds()).isPositive();
        clock.plus(Duration.ofDays(1));
        codes.prune();
        codes.request(PHONE, "192.0.2.201");
        assertThat(codes.check(PHONE, "999999", "192.0.2.201").outcome()).as("a day later").isEqualTo(SignInCodes.Outcome.WRONG_CODE);
    }

    @Test
    void ipv6AddressesCountByTheirSlash64() {
        assertThat(SignInCodes.addressGroup("2001:db8:1:2:aaaa::1")).isEqualTo(SignInCodes.addressGroup("2001:db8:1:2:ffff::9"))
                .isNotEqualTo(SignInCodes.addressGroup("2001:db8:1:3::1"));
        assertThat(SignInCodes.addressGroup("198.51.100.7")).isEqualTo("198.51.100.7");
        for (int i = 0; i < 20; i++) {
            assertThat(codes.request("+1650253" + String.format("%04d", i), "2001:db8:1:2::" + Integer.toHexString(i + 1)).issued())
                    .isTrue();
        }
        assertThat(codes.request("+16502539999", "2001:db8:1:2:dead::beef").issued())
                .as("a fresh address of the same /64 is the same client").isFalse();
    }
}
