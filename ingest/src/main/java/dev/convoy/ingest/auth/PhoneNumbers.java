package dev.convoy.ingest.auth;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import java.util.Locale;

/**
 * Phone numbers as people type them ({@code +44 20 7946 0958}, {@code (020) 7946-0958})
 * turned into E.164 ({@code +442079460958}), the one form Convoy stores and texts.
 */
public final class PhoneNumbers {

    private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();

    private final String defaultRegion;

    /** @param defaultRegion ISO 3166 region for numbers written without {@code +}, or blank to require {@code +} */
    public PhoneNumbers(String defaultRegion) {
        this.defaultRegion = defaultRegion == null || defaultRegion.isBlank() ? null : defaultRegion.trim().toUpperCase(Locale.ROOT);
        if (this.defaultRegion != null && !UTIL.getSupportedRegions().contains(this.defaultRegion)) {
            throw new IllegalArgumentException("phone-region must be an ISO 3166 region code such as US or GB, not '" + defaultRegion + "'");
        }
    }

    /** The ISO 3166 region of an E.164 number ({@code GB} for {@code +44…}); {@code ZZ} when none can be told. */
    public static String region(String e164) {
        try {
            String region = UTIL.getRegionCodeForNumber(UTIL.parse(e164, "ZZ"));
            return region == null ? "ZZ" : region;
        } catch (NumberParseException e) {
            return "ZZ";
        }
    }

    /** The E.164 form of {@code raw}; throws {@link IllegalArgumentException} with a sentence for a person otherwise. */
    public String toE164(String raw) {
        if (raw == null || raw.isBlank()) {
            throw new IllegalArgumentException("Send the phone number in international form, e.g. +14155550123.");
        }
        if (raw.length() > 32) {
            throw new IllegalArgumentException("A phone number has at most 15 digits; '" + raw.substring(0, 32) + "…' is not one.");
        }
        String trimmed = raw.trim();
        if (defaultRegion == null && !trimmed.startsWith("+")) {
            throw new IllegalArgumentException("Write the phone number with its country code, e.g. +14155550123, not '" + raw + "'.");
        }
        PhoneNumber number;
        try {
            number = UTIL.parse(trimmed, defaultRegion == null ? "ZZ" : defaultRegion);
        } catch (NumberParseException e) {
            throw new IllegalArgumentException("'" + raw + "' is not a phone number: write it with its country code, e.g. +14155550123.");
        }
        if (!UTIL.isValidNumber(number)) {
            throw new IllegalArgumentException("'" + raw + "' is not a valid phone number for its country; check the digits.");
        }
        return UTIL.format(number, PhoneNumberUtil.PhoneNumberFormat.E164);
    }
}
