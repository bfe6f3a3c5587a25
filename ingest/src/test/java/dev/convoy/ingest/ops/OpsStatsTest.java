package dev.convoy.ingest.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The operators' numbers come from the registry /metrics serves, sampled on a clock. */
class OpsStatsTest {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private Instant now = Instant.parse("2026-11-28T10:00:00Z");
    private final OpsStats stats = new OpsStats(registry, "node-a", new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    });

    private Timer ready(String kind) {
        return Timer.builder("convoy.time.to.ready").tag("kind", kind).tag("outcome", "ready").publishPercentileHistogram()
                .maximumExpectedValue(Duration.ofHours(2)).register(registry);
    }

    private void tick() {
        now = now.plus(OpsStats.EVERY);
        stats.sample();
    }

    @Test
    void ratesAndPercentilesOfTheLastMinuteComeFromTheMeters() {
        Counter bytes = Counter.builder("convoy.upload.bytes").register(registry);
        AtomicInteger active = registry.gauge("convoy.uploads.active", new AtomicInteger(3));
        stats.sample();
        bytes.increment(4 * 1024 * 1024);
        for (int i = 0; i < 90; i++) {
            ready("incident").record(Duration.ofMillis(800));
        }
        for (int i = 0; i < 10; i++) {
            ready("drive").record(Duration.ofSeconds(20));
        }
        tick();
        JsonArray samples = stats.since(0).getJsonArray("samples");
        JsonObject last = samples.getJsonObject(samples.size() - 1);
        assertThat(last.getDouble("inMiBps")).isCloseTo(2.0, within(0.001));
        assertThat(last.getDouble("uploadsActive")).isEqualTo(3.0);
        assertThat(last.getDouble("ready")).isEqualTo(100.0);
        assertThat(last.getDouble("readyPerMinute")).as("100 clips in 2 s").isCloseTo(3000.0, within(0.1));
        assertThat(last.getDouble("timeToReadyP50Seconds")).as("p50 within the 0.8 s bucket").isBetween(0.5, 1.0);
        assertThat(last.getDouble("timeToReadyP95Seconds")).as("p95 among the 20 s ones").isBetween(15.0, 25.0);
        assertThat(active).isNotNull();

        // A minute later with nothing new: no percentile, no rate, the totals stay.
        for (int i = 0; i < 31; i++) {
            tick();
        }
        JsonObject quiet = stats.since(0).getJsonArray("samples").getJsonObject(stats.since(0).getJsonArray("samples").size() - 1);
        assertThat(quiet.getValue("timeToReadyP95Seconds")).isNull();
        assertThat(quiet.getDouble("readyPerMinute")).isZero();
        assertThat(quiet.getDouble("inMiBps")).isZero();
        assertThat(quiet.getDouble("ready")).isEqualTo(100.0);
    }

    @Test
    void fifteenMinutesAreKeptAndAskedForFromATime() {
        for (int i = 0; i < 500; i++) {
            tick();
        }
        JsonArray all = stats.since(0).getJsonArray("samples");
        assertThat(all.size()).isEqualTo((int) (OpsStats.KEPT.toMillis() / OpsStats.EVERY.toMillis()));
        long at = all.getJsonObject(all.size() - 3).getLong("at");
        assertThat(stats.since(at).getJsonArray("samples").size()).isEqualTo(2);
        assertThat(stats.since(0).getString("node")).isEqualTo("node-a");
    }

    @Test
    void theLatestFailedClipsComeNewestFirstTenAtMost() {
        for (int i = 0; i < 12; i++) {
            stats.failed(new OpsStats.FailedClip("clip" + i, "incident", "invalid_video", now.plusSeconds(i)));
        }
        JsonArray latest = stats.since(0).getJsonArray("latestFailed");
        assertThat(latest.size()).isEqualTo(10);
        assertThat(latest.getJsonObject(0).getString("id")).isEqualTo("clip11");
    }

    @Test
    void aQuantileIsInterpolatedWithinItsBucket() {
        double[] bounds = {1, 2, 4};
        assertThat(OpsStats.quantile(bounds, new double[] {0, 10, 10}, new double[] {0, 0, 0}, 0.5)).isEqualTo(1.5);
        assertThat(OpsStats.quantile(bounds, new double[] {5, 5, 5}, new double[] {5, 5, 5}, 0.5)).isNull();
        assertThat(OpsStats.quantile(new double[0], new double[0], new double[0], 0.5)).isNull();
    }
}
