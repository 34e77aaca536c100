package io.metricstore.store.redis;

import io.quarkus.redis.datasource.RedisDataSource;
import io.vertx.mutiny.redis.client.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The Lua scripts of the Redis backend, called by SHA. Each declares every key it touches in {@code KEYS} (Redis
 * Cluster routes and migrates by them); the reads ({@code cursor}, {@code page}, {@code order}, {@code states}, {@code due},
 * {@code probe}, {@code families}) write nothing. A server that does not know a script (after a restart or
 * {@code SCRIPT FLUSH}) answers {@code NOSCRIPT}; the script is then sent whole once, which also caches it again.
 */
final class RedisScripts {

    /** One script: its source (a classpath resource beside this class) and SHA-1. */
    record Script(String name, String source, String sha) {

        /**
         * A script with the functions it uses in front of it: {@code origin.lua} (which history of Redis this is)
         * and {@code state.lua} (the epoch's rules) for those that change the feed, {@code feed.lua} for those that
         * read it, {@code layout.lua} for the lock scripts.
         */
        static Script load(String name, String... preludes) {
            StringBuilder source = new StringBuilder();
            for (String prelude : preludes) {
                source.append(read(prelude));
            }
            source.append(read(name));
            return of(name, source.toString());
        }

        private static Script of(String name, String source) {
            try {
                byte[] sha = MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
                return new Script(name, source, HexFormat.of().formatHex(sha));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        private static String read(String name) {
            String resource = name + ".lua";
            try (InputStream in = RedisScripts.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("missing script " + resource);
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    static final Script UPSERT = Script.load("upsert", "origin", "state");
    static final Script GC = Script.load("gc", "origin", "state");
    static final Script INIT = Script.load("init", "origin", "state");
    static final Script ACQUIRE = Script.load("acquire", "origin", "layout");
    static final Script EXTEND = Script.load("extend", "layout");
    static final Script CURSOR = Script.load("cursor", "feed");
    static final Script PAGE = Script.load("page", "feed");
    static final Script ORDER = Script.load("order", "feed");
    static final Script STATES = Script.load("states");
    static final Script DUE = Script.load("due");
    static final Script PROBE = Script.load("probe");
    static final Script FAMILIES = Script.load("families");
    static final Script MIGRATE = Script.load("migrate");

    private RedisScripts() {
    }

    /** What {@code extend.lua} does for the holding token. */
    enum OwnerOperation {
        EXTEND("extend"),
        RELEASE("release");

        final String arg;

        OwnerOperation(String arg) {
            this.arg = arg;
        }
    }

    static Response run(RedisDataSource redis, Script script, List<String> keys, List<String> args) {
        String[] command = new String[2 + keys.size() + args.size()];
        command[0] = script.sha();
        command[1] = Integer.toString(keys.size());
        int i = 2;
        for (String key : keys) {
            command[i++] = key;
        }
        for (String arg : args) {
            command[i++] = arg;
        }
        try {
            return redis.execute("EVALSHA", command);
        } catch (RuntimeException e) {
            if (!RedisFailures.isNoScript(e)) {
                throw e;
            }
            command[0] = script.source();
            return redis.execute("EVAL", command);
        }
    }
}
