package dev.convoy.ingest.auth;

/**
 * Who made a request: an owner, and the device when the token is a device's.
 *
 * @param owner    the owner account every clip belongs to
 * @param deviceId the camera or phone, or null for an owner's own token
 */
public record Principal(String owner, String deviceId) {

    public boolean isDevice() {
        return deviceId != null;
    }
}
