package dev.convoy.ingest.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class TextBudgetTest {

    private final SignInCodesTest.Manual clock = new SignInCodesTest.Manual();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final TextBudget budget = new TextBudget(clock, new TextBudget.Limits(5, 3, Map.of("US", 4)), registry);
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();

    @BeforeEach
    void listen() {
        log.start();
        ((Logger) LoggerFactory.getLogger(TextBudget.class)).addAppender(log);
    }

    @AfterEach
    void stopListening() {
        ((Logger) LoggerFactory.getLogger(TextBudget.class)).detachAppender(log);
    }

    @Test
    void aCountrysCapStopsTextsThereWhileOthersGoOn() {
        for (int i = 0; i < 3; i++) {
            assertThat(budget.take("GB").granted()).isTrue();
        }
        TextBudget.Refusal refused = budget.take("GB").refusal();
        assertThat(refused.scope()).isEqualTo("country");
        assertThat(refused.retryAfterSeconds()).as("the first text leaves the hour in an hour").isBetween(3541L, 3600L);
        assertThat(budget.take("FR").granted()).as("another country is not held up").isTrue();
        assertThat(count("country", "GB")).isEqualTo(1.0);
    }

    @Test
    void theGlobalCapStopsEveryCountry() {
        assertThat(budget.take("US").granted()).isTrue();
        assertThat(budget.take("US").granted()).isTrue();
        assertThat(budget.take("GB").granted()).isTrue();
        assertThat(budget.take("FR").granted()).isTrue();
        assertThat(budget.take("DE").granted()).isTrue();
        assertThat(budget.take("JP").refusal().scope()).isEqualTo("global");
        assertThat(budget.take("US").refusal().scope()).isEqualTo("global");
        assertThat(count("global", "all")).isEqualTo(2.0);
    }

    @Test
    void aCountryWithACapOfItsOwnUsesIt() {
        for (int i = 0; i < 4; i++) {
            assertThat(budget.take("US").granted()).as("text %d", i + 1).isTrue();
        }
        assertThat(budget.take("US").refusal().scope()).isEqualTo("country");
    }

    @Test
    void theHourSlidesByTheMinute() {
        budget.take("GB");
        clock.plus(Duration.ofMinutes(30));
        budget.take("GB");
        budget.take("GB");
        TextBudget.Refusal refused = budget.take("GB").refusal();
        assertThat(refused.retryAfterSeconds()).as("until the first text is an hour old").isBetween(1741L, 1800L);
        clock.plus(Duration.ofMinutes(31));
        assertThat(budget.take("GB").granted()).as("the first text has left the hour").isTrue();
        assertThat(budget.take("GB").refusal().scope()).isEqualTo("country");
    }

    @Test
    void aTextNotSentAfterAllIsHandedBackToTheMinuteItWasTakenIn() {
        budget.take("GB");
        budget.take("GB");
        TextBudget.Taken third = budget.take("GB");
        clock.plus(Duration.ofSeconds(90));
        budget.giveBack(third);
        assertThat(budget.take("GB").granted()).as("handed back to its own minute, a minute later: room for one").isTrue();
        assertThat(budget.take("GB").granted()).isFalse();
        clock.plus(Duration.ofMinutes(59));
        // The first minute has left the hour; the text taken at 1.5 min has not.
        assertThat(budget.take("GB").granted()).isTrue();
        assertThat(budget.take("GB").granted()).isTrue();
        assertThat(budget.take("GB").granted()).as("three in the hour").isFalse();
    }

    @Test
    void aCountryCappedAtZeroIsClosedNotPaused() {
        TextBudget closed = new TextBudget(clock, TextBudget.Limits.parse("100", "10,KP=0"), registry);
        TextBudget.Refusal refusal = closed.take("KP").refusal();
        assertThat(refusal.closed()).isTrue();
        assertThat(closed.take("GB").granted()).isTrue();
    }

    @Test
    void aCapHitIsLoggedOnceAnHourAsAWarning() {
        for (int i = 0; i < 3; i++) {
            budget.take("GB");
        }
        for (int i = 0; i < 50; i++) {
            budget.take("GB");
        }
        assertThat(log.list).hasSize(1);
        assertThat(log.list.get(0).getLevel().toString()).isEqualTo("WARN");
        assertThat(log.list.get(0).getFormattedMessage())
                .startsWith("event=sms_budget_exhausted scope=country country=GB texts_per_hour=3");
        assertThat(count("country", "GB")).isEqualTo(50.0);
        clock.plus(Duration.ofMinutes(59));
        budget.take("GB");
        assertThat(log.list).hasSize(1);
        clock.plus(Duration.ofMinutes(2));
        budget.prune();
        for (int i = 0; i < 4; i++) {
            budget.take("GB");
        }
        assertThat(log.list).as("a new hour, a new line").hasSize(2);
    }

    @Test
    void settingsAreReadWithCountryOverrides() {
        TextBudget.Limits limits = TextBudget.Limits.parse("1000", "200, us=2000 ,GB=0");
        assertThat(limits.perHour()).isEqualTo(1000);
        assertThat(limits.forCountry("US")).isEqualTo(2000);
        assertThat(limits.forCountry("GB")).isZero();
        assertThat(limits.forCountry("FR")).isEqualTo(200);
        assertThatThrownBy(() -> TextBudget.Limits.parse("lots", "200"))
                .hasMessage("--sms-per-hour must be a whole number of texts, 0 or more, not 'lots'");
        assertThatThrownBy(() -> TextBudget.Limits.parse("10", "200,USA=5"))
                .hasMessageContaining("'USA=5' is not REGION=N");
        assertThatThrownBy(() -> TextBudget.Limits.parse("10", "200,US=-1"))
                .hasMessageContaining("--sms-per-country-per-hour US must be a whole number");
    }

    private double count(String scope, String country) {
        return registry.counter("convoy.sms.budget.exhausted", "scope", scope, "country", country).count();
    }
}
