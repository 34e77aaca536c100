package io.metricstore.auth;

import java.util.Set;

/** The roles of SPEC §4, as {@code @RolesAllowed} names them. */
public final class Roles {

    /** Reads: series, cursor, changes, lock observation, {@code /metrics}. */
    public static final String READER = "reader";
    /** {@code POST /points}. */
    public static final String WRITER = "writer";
    /** Lock (and lease) acquire, extend, release. */
    public static final String LOCKER = "locker";
    /** The GC on demand, and everything the other roles may do. */
    public static final String ADMIN = "admin";

    public static final Set<String> ALL = Set.of(READER, WRITER, LOCKER, ADMIN);

    /** The identity of every caller while authentication is off. */
    public static final String ANONYMOUS = "anonymous";

    private Roles() {
    }
}
