package dev.convoy.transcoder;

/**
 * What probing a clip found out about it. Recorded in the clip's manifest.
 *
 * @param container    the demuxer's name, e.g. {@code mov,mp4,m4a,3gp,3g2,mj2}
 * @param videoCodec   the video decoder's name, e.g. {@code h264}
 * @param width        coded picture width in pixels
 * @param height       coded picture height in pixels
 * @param fps          average frame rate
 * @param durationMs   container duration in milliseconds
 * @param hasAudio     whether the clip has an audio stream
 * @param audioCodec   the audio decoder's name, or null without audio
 * @param audioChannels number of audio channels, 0 without audio
 */
public record ProbeFacts(
        String container,
        String videoCodec,
        int width,
        int height,
        double fps,
        long durationMs,
        boolean hasAudio,
        String audioCodec,
        int audioChannels) {
}
