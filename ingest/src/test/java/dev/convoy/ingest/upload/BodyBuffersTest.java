package dev.convoy.ingest.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BodyBuffersTest {

    @Test
    void aBatchShrinksAsMoreBodiesArriveSoThatAllOfThemStayWithinTheBudget() {
        BodyBuffers buffers = new BodyBuffers(16L << 20);
        assertThat(buffers.batchBytes()).as("nothing arriving").isEqualTo(BodyBuffers.MAX_BATCH);
        open(buffers, 100);
        assertThat(buffers.batchBytes()).as("100 bodies: 16 MiB is more than they need").isEqualTo(BodyBuffers.MAX_BATCH);
        open(buffers, 900);
        assertThat(buffers.receiving()).isEqualTo(1000);
        assertThat(buffers.batchBytes()).as("1000 bodies, two batches each").isEqualTo((16 << 20) / 2000);
        assertThat(2L * buffers.batchBytes() * buffers.receiving()).isLessThanOrEqualTo(16L << 20);
        open(buffers, 9000);
        assertThat(buffers.batchBytes()).as("never below the smallest useful write").isEqualTo(BodyBuffers.MIN_BATCH);
        for (int i = 0; i < 9900; i++) {
            buffers.closed();
        }
        assertThat(buffers.batchBytes()).as("back to 100 bodies").isEqualTo(BodyBuffers.MAX_BATCH);
    }

    @Test
    void theDefaultBudgetIsAnEighthOfTheHeapAndABudgetTooSmallForOneBodyIsRefused() {
        BodyBuffers ofHeap = BodyBuffers.ofHeap();
        long expected = Math.max(2L * BodyBuffers.MAX_BATCH, Runtime.getRuntime().maxMemory() / 8);
        open(ofHeap, 5000);
        assertThat(ofHeap.batchBytes()).isEqualTo((int) Math.max(BodyBuffers.MIN_BATCH,
                Math.min(BodyBuffers.MAX_BATCH, expected / 10_000)));
        assertThatThrownBy(() -> new BodyBuffers(BodyBuffers.MIN_BATCH)).isInstanceOf(IllegalArgumentException.class);
    }

    private static void open(BodyBuffers buffers, int n) {
        for (int i = 0; i < n; i++) {
            buffers.opened();
        }
    }
}
