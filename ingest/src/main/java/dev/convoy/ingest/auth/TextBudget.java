package dev.convoy.ingest.auth;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many sign-in texts this node may send in any hour: all together, and to each country.
 * Every text costs money, and some numbers cost a lot: a script asking for codes to premium
 * numbers (toll fraud) meets these caps long before it meets a bill. A cap that is hit is
 * counted ({@code convoy_sms_budget_exhausted_total}) and logged once per hour, as a warning
 * an operator should read.
 */
public final class TextBudget {

    /**
     * The caps.
     *
     * @param perHour texts per hour, every country together
     * @param perCountryPerHour texts per hour to one country, unless {@code countries} names it
     * @param countries a cap of its own for a country (ISO 3166 region, e.g. {@code US})
     */
    public record Limits(int perHour, int perCountryPerHour, Map<String, Integer> countries) {
        public Limits {
            countries = Map.copyOf(countries);
        }

        /** The cap for texts to {@code country}. */
        public int forCountry(String country) {
            return countries.getOrDefault(country, perCountryPerHour);
        }

        /**
         * Reads {@code --sms-per-hour} and {@code --sms-per-country-per-hour}: the latter is a
         * number for every country, optionally followed by {@code ,REGION=N} for those with caps
         * of their own ({@code 200,US=2000,GB=500}).
         */
        public static Limits parse(String perHour, String perCountry) {
            int global = count("--sms-per-hour", perHour);
            String[] parts = perCountry.split(",");
            int everyCountry = count("--sms-per-country-per-hour", parts[0]);
            Map<String, Integer> countries = new HashMap<>();
            for (String part : Arrays.copyOfRange(parts, 1, parts.length)) {
                int eq = part.indexOf('=');
                String region = eq < 0 ? "" : part.substring(0, eq).trim().toUpperCase(Locale.ROOT);
                if (!region.matches("[A-Z]{2}")) {
                    throw new IllegalArgumentException("--sms-per-country-per-hour: '" + part.trim()
                            + "' is not REGION=N with a two-letter region, e.g. US=2000");
                }
                countries.put(region, count("--sms-per-country-per-hour " + region, part.substring(eq + 1)));
            }
            return new Limits(global, everyCountry, countries);
        }

        private static int count(String what, String value) {
            try {
                int n = Integer.parseInt(value.trim());
                if (n >= 0) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // Said below.
            }
            throw new IllegalArgumentException(what + " must be a whole number of texts, 0 or more, not '" + value.trim() + "'");
        }
    }

    /**
     * A text refused: which cap, and the seconds until it lets one more through; {@code closed}
     * when the country's cap is 0 (no text goes there at all, so waiting does not help).
     */
    public record Refusal(String scope, long retryAfterSeconds, boolean closed) {
    }

    /** The answer to {@link #take}: a text granted (for the minute it counts in), or the refusal. */
    public record Taken(String country, long minute, Refusal refusal) {
        public boolean granted() {
            return refusal == null;
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(TextBudget.class);
    private static final Duration WINDOW = Duration.ofHours(1);
    /** Texts are counted by the minute; the hour is the last 60 of them. */
    private static final int SLOTS = 60;
    private static final String ALL = "all";

    private final Clock clock;
    private final Limits limits;
    private final MeterRegistry registry;
    private final Map<String, Window> windows = new HashMap<>();
    /** When each cap was last reported hit, so that a flood of refusals writes one line an hour. */
    private final Map<String, Instant> reported = new HashMap<>();

    public TextBudget(Clock clock, Limits limits, MeterRegistry registry) {
        this.clock = clock;
        this.limits = limits;
        this.registry = registry;
    }

    /**
     * Takes one text to {@code country} from both budgets, or takes nothing and says which is
     * spent. A text taken but not sent after all is handed back with {@link #giveBack}.
     */
    public synchronized Taken take(String country) {
        long minute = clock.instant().getEpochSecond() / 60;
        Window all = windows.computeIfAbsent(ALL, k -> new Window());
        Window one = windows.computeIfAbsent(country, k -> new Window());
        if (limits.forCountry(country) == 0) {
            return new Taken(country, minute, refuse("country", country, 0, one, minute));
        }
        if (all.count(minute) >= limits.perHour()) {
            return new Taken(country, minute, refuse("global", ALL, limits.perHour(), all, minute));
        }
        if (one.count(minute) >= limits.forCountry(country)) {
            return new Taken(country, minute, refuse("country", country, limits.forCountry(country), one, minute));
        }
        all.add(minute, 1);
        one.add(minute, 1);
        return new Taken(country, minute, null);
    }

    /** Returns a granted text that was not sent after all (no code was issued, or the sender failed), to its minute. */
    public synchronized void giveBack(Taken text) {
        if (!text.granted()) {
            return;
        }
        for (String key : new String[] {ALL, text.country()}) {
            Window window = windows.get(key);
            if (window != null) {
                window.remove(text.minute());
            }
        }
    }

    /** Forgets countries no text went to in the last hour. */
    public synchronized void prune() {
        long minute = clock.instant().getEpochSecond() / 60;
        windows.values().removeIf(w -> w.count(minute) == 0);
        reported.values().removeIf(at -> !clock.instant().isBefore(at.plus(WINDOW)));
    }

    private Refusal refuse(String scope, String country, int cap, Window window, long minute) {
        Counter.builder("convoy.sms.budget.exhausted")
                .description("Sign-in texts refused because an hourly budget (global or one country's) was spent")
                .tag("scope", scope).tag("country", country)
                .register(registry).increment();
        Instant now = clock.instant();
        Instant last = reported.get(scope + ":" + country);
        if (last == null || !now.isBefore(last.plus(WINDOW))) {
            reported.put(scope + ":" + country, now);
            LOG.warn("event=sms_budget_exhausted scope={} country={} texts_per_hour={} action=\"sign-in texts refused until the"
                    + " hour's count falls; raise --sms-per-hour or --sms-per-country-per-hour if this traffic is expected\"",
                    scope, country, cap);
        }
        return cap == 0 ? new Refusal(scope, 0, true)
                : new Refusal(scope, window.secondsUntilBelow(cap, minute, now.getEpochSecond()), false);
    }

    /** Counts per minute over the last hour, in a ring. */
    private static final class Window {
        private final long[] minutes = new long[SLOTS];
        private final int[] counts = new int[SLOTS];

        int count(long now) {
            int total = 0;
            for (int i = 0; i < SLOTS; i++) {
                if (now - minutes[i] < SLOTS) {
                    total += counts[i];
                }
            }
            return total;
        }

        void add(long minute, int n) {
            int slot = (int) Math.floorMod(minute, (long) SLOTS);
            if (minutes[slot] != minute) {
                minutes[slot] = minute;
                counts[slot] = 0;
            }
            counts[slot] = Math.max(0, counts[slot] + n);
        }

        /** Takes back one text counted in {@code minute}, if that minute is still in the ring. */
        void remove(long minute) {
            int slot = (int) Math.floorMod(minute, (long) SLOTS);
            if (minutes[slot] == minute && counts[slot] > 0) {
                counts[slot]--;
            }
        }

        /** Seconds until the count drops below {@code cap}: until enough of the oldest minutes leave the hour. */
        long secondsUntilBelow(int cap, long now, long nowSeconds) {
            int total = count(now);
            for (long m = now - SLOTS + 1; m <= now; m++) {
                int slot = (int) Math.floorMod(m, (long) SLOTS);
                if (minutes[slot] == m) {
                    total -= counts[slot];
                }
                if (total < cap) {
                    // Minute m leaves the window when minute m + 60 begins.
                    return Math.max(1, (m + SLOTS) * 60 - nowSeconds);
                }
            }
            return WINDOW.toSeconds();
        }
    }
}
