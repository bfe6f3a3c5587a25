package dev.convoy.ingest.auth;

import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Who may read the operators' page: the accounts of the numbers in {@code --operator-phones}.
 * A sign-in with such a number gets a session marked an operator's; the page's numbers also
 * ask that its owner still be one of those accounts, so that a number taken off the setting
 * loses the page at the next start, not when its 30-day session ends.
 */
public final class Operators {

    private final Set<String> phones;
    private final Accounts accounts;
    private volatile Set<String> owners = Set.of();

    public Operators(Set<String> phones, Accounts accounts) {
        this.phones = Set.copyOf(phones);
        this.accounts = accounts;
    }

    /** Whether a sign-in with this number (E.164) makes an operator's session. */
    public boolean isOperatorPhone(String e164) {
        return phones.contains(e164);
    }

    /** Looks up the operators' accounts (making those not made yet, as their first sign-in would). */
    public Future<Void> resolve(Context ctx) {
        List<Future<String>> lookups = phones.stream().map(phone -> accounts.ownerFor(ctx, phone)).toList();
        return Future.all(lookups).map(all -> {
            owners = lookups.stream().map(Future::result).collect(Collectors.toUnmodifiableSet());
            return null;
        });
    }

    /** Whether {@code who} may read the operators' numbers. */
    public boolean allows(Principal who) {
        return who.operator() && !who.isDevice() && owners.contains(who.owner());
    }
}
