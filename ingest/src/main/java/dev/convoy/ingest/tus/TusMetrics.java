package dev.convoy.ingest.tus;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** The upload endpoint's meters, registered once; names as documented in README's metric table. */
final class TusMetrics {

    private final MeterRegistry registry;
    final Counter created;
    final Counter completed;
    final Counter terminated;
    final Counter expired;
    final Counter resumes;
    final Counter bytes;
    final AtomicInteger active = new AtomicInteger();
    private final Map<String, Timer> requestTimers = new ConcurrentHashMap<>();

    TusMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.created = Counter.builder("convoy.upload.creations").description("Uploads created").register(registry);
        this.completed = Counter.builder("convoy.uploads.completed").description("Uploads whose every byte arrived")
                .register(registry);
        this.terminated = Counter.builder("convoy.uploads.terminated").description("Uploads deleted by their client")
                .register(registry);
        this.expired = Counter.builder("convoy.uploads.expired").description("Unfinished uploads deleted after expiring")
                .register(registry);
        this.resumes = Counter.builder("convoy.upload.resumes")
                .description("Writes that resumed an upload after its previous request was cut off").register(registry);
        this.bytes = Counter.builder("convoy.upload.bytes").baseUnit("bytes").description("Bytes received and stored")
                .register(registry);
        Gauge.builder("convoy.uploads.active", active, AtomicInteger::get).description("Upload requests in progress")
                .register(registry);
    }

    Timer.Sample startRequest() {
        active.incrementAndGet();
        return Timer.start(registry);
    }

    void endRequest(Timer.Sample sample, String method) {
        active.decrementAndGet();
        sample.stop(requestTimers.computeIfAbsent(method, m -> Timer.builder("convoy.upload.request")
                .description("Upload endpoint request time")
                .tag("method", m)
                .publishPercentileHistogram()
                .register(registry)));
    }

    void refused(TusError error) {
        registry.counter("convoy.upload.errors", "code", error.code()).increment();
    }
}
