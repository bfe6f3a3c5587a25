package dev.convoy.ingest.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PhoneNumbersTest {

    private final PhoneNumbers international = new PhoneNumbers("");
    private final PhoneNumbers us = new PhoneNumbers("us");

    @Test
    void numbersAsPeopleWriteThemBecomeE164() {
        assertThat(international.toE164("+44 20 7946 0958")).isEqualTo("+442079460958");
        assertThat(international.toE164(" +1 (650) 253-0000 ")).isEqualTo("+16502530000");
        assertThat(international.toE164("+49 30 901820")).isEqualTo("+4930901820");
        assertThat(us.toE164("(650) 253-0000")).isEqualTo("+16502530000");
        assertThat(us.toE164("+44 20 7946 0958")).as("a + number ignores the default region").isEqualTo("+442079460958");
    }

    @Test
    void whatIsNotAPhoneNumberIsRefusedWithASentence() {
        assertThatThrownBy(() -> international.toE164("650 253 0000")).hasMessageContaining("country code");
        assertThatThrownBy(() -> international.toE164("+1 123")).hasMessageContaining("not a valid phone number");
        assertThatThrownBy(() -> international.toE164("call me")).hasMessageContaining("country code");
        assertThatThrownBy(() -> us.toE164("hello")).hasMessageContaining("not a phone number");
        assertThatThrownBy(() -> international.toE164("")).hasMessageContaining("international form");
        assertThatThrownBy(() -> international.toE164(null)).hasMessageContaining("international form");
        assertThatThrownBy(() -> international.toE164("+1".repeat(40))).hasMessageContaining("at most 15 digits");
        assertThatThrownBy(() -> new PhoneNumbers("XX")).hasMessageContaining("region");
    }
}
