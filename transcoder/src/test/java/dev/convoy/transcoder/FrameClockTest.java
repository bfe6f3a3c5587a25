package dev.convoy.transcoder;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FrameClockTest {

    @Test
    void theFirstPictureIsAtZeroWhateverTheDecoderSays() {
        FrameClock clock = new FrameClock();
        assertThat(clock.place(1_400_000)).isZero();
        assertThat(clock.place(1_433_333)).isEqualTo(33_333);
        assertThat(clock.frames()).isEqualTo(2);
        assertThat(clock.lastUs()).isEqualTo(33_333);
    }

    @Test
    void repeatedAndBackwardsTimesAreDroppedAndNotCounted() {
        FrameClock clock = new FrameClock();
        clock.place(0);
        clock.place(33_333);
        assertThat(clock.place(33_333)).isEqualTo(FrameClock.SKIP);
        assertThat(clock.place(10_000)).isEqualTo(FrameClock.SKIP);
        assertThat(clock.place(66_667)).isEqualTo(66_667);
        assertThat(clock.frames()).isEqualTo(3);
        assertThat(clock.variableFrameRate()).as("a dropped repeat does not make the rate vary").isFalse();
    }

    @Test
    void intervalsThatDifferByMoreThanAMillisecondAndAHalfAreAVariableRate() {
        FrameClock steady = new FrameClock();
        FrameClock varying = new FrameClock();
        for (int i = 0; i < 30; i++) {
            // A 30 fps time base rounds to whole milliseconds: 33 or 34 ms, still constant.
            steady.place(i * 1_000_000L / 30 / 1000 * 1000);
            varying.place(i * 33_333L + (i % 2) * 10_000L);
        }
        assertThat(steady.variableFrameRate()).isFalse();
        assertThat(varying.variableFrameRate()).isTrue();
    }

    @Test
    void twoPicturesAreTooFewToTellARate() {
        FrameClock clock = new FrameClock();
        clock.place(0);
        clock.place(100_000);
        assertThat(clock.variableFrameRate()).isFalse();
        assertThat(new FrameClock().lastUs()).isZero();
    }
}
