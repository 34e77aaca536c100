package io.metricstore.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * The static bearer tokens of {@code store.auth.tokens-file}: lines {@code <identity> <sha256 hex>}, so the file (a
 * Secret) never holds a token. A presented token is hashed and compared with every entry in constant time. The file
 * is read again when it changes (a rotated Secret), checked at most every few seconds; a change that does not parse
 * keeps the tokens read before and is logged.
 */
public final class StaticTokens {

    private static final Logger LOG = Logger.getLogger(StaticTokens.class);
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
    private static final long RECHECK_NANOS = 5_000_000_000L;

    private record Entry(String identity, byte[] hash) {
    }

    private record Loaded(List<Entry> entries, FileTime modified, long size) {
    }

    private final Path file;
    private volatile Loaded loaded;
    private volatile long checkedAt;

    private StaticTokens(Path file, Loaded loaded) {
        this.file = file;
        this.loaded = loaded;
        this.checkedAt = System.nanoTime();
    }

    /**
     * Reads the file; throws {@link IllegalArgumentException} naming the line that is not {@code <identity> <sha256>}.
     */
    public static StaticTokens read(Path file) throws IOException {
        return new StaticTokens(file, load(file));
    }

    private static Loaded load(Path file) throws IOException {
        FileTime modified = Files.getLastModifiedTime(file);
        long size = Files.size(file);
        List<Entry> entries = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int comment = line.indexOf('#');
            String content = (comment < 0 ? line : line.substring(0, comment)).strip();
            if (content.isEmpty()) {
                continue;
            }
            String[] fields = content.split("\\s+");
            if (fields.length != 2 || !SHA256_HEX.matcher(fields[1]).matches()) {
                throw new IllegalArgumentException("line " + (i + 1) + " is not '<identity> <sha256 of the token, 64 "
                        + "lowercase hex digits>'");
            }
            entries.add(new Entry(fields[0], HexFormat.of().parseHex(fields[1])));
        }
        return new Loaded(List.copyOf(entries), modified, size);
    }

    /** The identity whose token has this SHA-256 ({@link #sha256}), if any. */
    Optional<String> identityOf(byte[] hash) {
        reloadIfChanged();
        String found = null;
        // Every entry is compared, whatever matched, so the time taken says nothing about which hash is close.
        for (Entry entry : loaded.entries()) {
            if (MessageDigest.isEqual(entry.hash(), hash) && found == null) {
                found = entry.identity();
            }
        }
        return Optional.ofNullable(found);
    }

    public int size() {
        return loaded.entries().size();
    }

    private void reloadIfChanged() {
        long now = System.nanoTime();
        if (now - checkedAt < RECHECK_NANOS) {
            return;
        }
        checkedAt = now;
        try {
            Loaded current = loaded;
            if (Files.getLastModifiedTime(file).equals(current.modified()) && Files.size(file) == current.size()) {
                return;
            }
            loaded = load(file);
            LOG.infof("store.auth.tokens-file changed: %d tokens", loaded.entries().size());
        } catch (IOException | IllegalArgumentException e) {
            LOG.errorf("store.auth.tokens-file %s could not be read again (%s); the tokens read before stay in use",
                    file, e.getMessage());
        }
    }

    static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
