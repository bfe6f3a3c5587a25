package dev.convoy.ingest.auth;

/**
 * Who made a request: an owner, and the device when the token is a device's.
 *
 * @param owner    the owner account every clip belongs to
 * @param deviceId the camera or phone, or null for an owner's own token
 * @param session  the sign-in an owner's token came from (what signing out ends), else null
 * @param operator whether the owner's session may read the operators' page ({@code /ops}) and its numbers
 */
public record Principal(String owner, String deviceId, String session, boolean operator) {

    public boolean isDevice() {
        return deviceId != null;
    }
}
