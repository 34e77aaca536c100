package io.metricstore.store.redis;

import io.metricstore.store.StoreException.CursorExpired;
import io.metricstore.store.model.Change;
import io.metricstore.store.model.Cursor;
import io.metricstore.store.model.Family;
import io.metricstore.store.model.LockKind;
import io.metricstore.store.model.LockState;
import io.metricstore.store.model.MetricPoint;
import io.metricstore.store.model.MetricType;
import io.metricstore.store.model.SampleValue;
import io.metricstore.store.model.Series;
import io.metricstore.store.model.SeriesId;
import io.metricstore.store.model.WriteSource;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The replies of the Lua scripts, each decoded once, here, into a type named for its script: a reply whose slots mean
 * different things in different outcomes becomes one record per outcome. The layouts are those the scripts' headers
 * give.
 */
final class Replies {

    private Replies() {
    }

    /** Whether a read script found the namespace without an epoch ({@code NEW}): {@code init.lua} creates it. */
    static boolean noEpoch(Response reply) {
        return "NEW".equals(reply.get(0).toString());
    }

    /** The layout version a script found in the namespace ({@code LAYOUT}), when it is not this version's. */
    static Optional<String> otherLayout(Response reply) {
        return reply.type() == ResponseType.MULTI && reply.size() == 2 && "LAYOUT".equals(reply.get(0).toString())
                ? Optional.of(reply.get(1).toString()) : Optional.empty();
    }

    /**
     * Whether a writing script wrote: {@code upsert.lua} answers {@code OK}, {@code acquire.lua} and
     * {@code extend.lua} {@code 1}; their refusals ({@code CAP}, {@code FAMILIES}, {@code FENCED}, {@code LAYOUT},
     * {@code 0}, {@code -1}, {@code -2}, {@code -3}) wrote nothing.
     */
    static boolean wrote(Response reply) {
        if (reply.type() != ResponseType.MULTI || reply.size() == 0) {
            return false;
        }
        String status = reply.get(0).toString();
        return "OK".equals(status) || "1".equals(status);
    }

    /** {@code upsert.lua}: the batch applied, or refused whole by its lease or lock, or by the series or family cap. */
    sealed interface Upsert permits Upserted, Capped, FamiliesCapped, Fenced {

        static Upsert decode(Response reply) {
            String status = reply.get(0).toString();
            return switch (status) {
                case "OK" -> new Upserted(cursor(reply.get(1), reply.get(2)), reply.get(3).toInteger(),
                        reply.get(4).toInteger(), reply.get(5).toInteger(), reply.get(6).toString().isEmpty()
                        ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(reply.get(6).toString())));
                case "CAP" -> new Capped(reply.get(2).toLong(), reply.get(3).toLong());
                case "FAMILIES" -> new FamiliesCapped(reply.get(2).toLong(), reply.get(3).toLong());
                case "FENCED" -> new Fenced(reply.size() < 4 ? Optional.empty() : Optional.of(new Holder(
                        reply.get(1).toString(), Long.parseLong(reply.get(2).toString()),
                        Instant.ofEpochMilli(Long.parseLong(reply.get(3).toString())))));
                default -> throw unexpected("upsert", status);
            };
        }
    }

    /** The batch's outcomes, the cursor after it and the fence it was written under, if any. */
    record Upserted(Cursor cursor, int applied, int unchanged, int stale, OptionalLong fence) implements Upsert {
    }

    /** {@code live} family descriptions now, {@code created} new ones the batch would add: more than allowed. */
    record FamiliesCapped(long live, long created) implements Upsert {
    }

    /** The batch's lease or lock is not held by its token: {@code holder} holds it, or nobody. */
    record Fenced(Optional<Holder> holder) implements Upsert {
    }

    /** Who holds a lease or lock: the public holder ({@code ""} for a lock), its fence and expiry. */
    record Holder(String holder, long fence, Instant expiresAt) {
    }

    /** {@code live} series now, {@code created} new ones the batch would add: more than the cap allows. */
    record Capped(long live, long created) implements Upsert {
    }

    /** {@code page.lua}: a page of the feed, or why the cursor cannot be served. */
    sealed interface Page permits FeedPage, Expired {

        static Page decode(Response reply) {
            String status = reply.get(0).toString();
            return switch (status) {
                case "OK" -> feedPage(reply);
                case "EXPIRED" -> Expired.decode(reply, "page");
                default -> throw unexpected("page", status);
            };
        }

        private static FeedPage feedPage(Response reply) {
            int count = (reply.size() - 5) / 2;
            List<String> ids = new ArrayList<>(count);
            long[] sequences = new long[count];
            for (int i = 0; i < count; i++) {
                ids.add(reply.get(5 + 2 * i).toString());
                sequences[i] = score(reply.get(6 + 2 * i));
            }
            return new FeedPage(cursor(reply.get(1), reply.get(2)), reply.get(3).toInteger() == 1,
                    score(reply.get(4)), ids, sequences);
        }

        /** A sequence read as a sorted-set score, which Redis writes as a float. */
        private static long score(Response score) {
            return (long) Double.parseDouble(score.toString());
        }
    }

    /**
     * Up to a page of the feed after a sequence: the ids changed, in feed order; {@code current} is the store's
     * cursor when the page was read, {@code lastScanned} the sequence of the last feed entry the page looked at (0
     * when none); {@code sequences} the feed sequence of each id.
     */
    record FeedPage(Cursor current, boolean more, long lastScanned, List<String> ids, long[] sequences)
            implements Page {
    }

    /** The cursor is from another epoch, below the horizon or ahead of the store. */
    record Expired(CursorExpired.Reason reason) implements Page, Ordered {

        static Expired decode(Response reply, String script) {
            return new Expired(switch (reply.get(1).toString()) {
                case "epoch" -> CursorExpired.Reason.OTHER_EPOCH;
                case "horizon" -> CursorExpired.Reason.BELOW_HORIZON;
                case "ahead" -> CursorExpired.Reason.AHEAD;
                default -> throw unexpected(script, "EXPIRED " + reply.get(1));
            });
        }
    }

    /** {@code order.lua}: sort keys in snapshot order, or why the walk's cursor cannot be served. */
    sealed interface Ordered permits OrderPage, Expired {

        static Ordered decode(Response reply) {
            String status = reply.get(0).toString();
            return switch (status) {
                case "OK" -> {
                    List<String> keys = new ArrayList<>(reply.size() - 3);
                    for (int i = 3; i < reply.size(); i++) {
                        keys.add(reply.get(i).toString());
                    }
                    yield new OrderPage(cursor(reply.get(1), reply.get(2)), keys);
                }
                case "EXPIRED" -> Expired.decode(reply, "order");
                default -> throw unexpected("order", status);
            };
        }
    }

    /** Sort keys of series in snapshot order, and the store's cursor when they were read. */
    record OrderPage(Cursor current, List<String> keys) implements Ordered {
    }

    /**
     * {@code states.lua}: the series {@code ids} as changes: each present and live by {@code now} as its state, the
     * others as deletions.
     */
    static List<Change> changes(List<String> ids, long[] sequences, Response states, Instant now,
                                long retentionMillis) {
        List<Change> changes = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            Series series = live(ids.get(i), states, i, now, retentionMillis);
            changes.add(series == null ? Change.deletion(ids.get(i), sequences[i]) : Change.upsert(series, sequences[i]));
        }
        return changes;
    }

    /**
     * {@code states.lua}: the state of the {@code i}th series read, {@code id}, when it is present and live by
     * {@code now}; else null.
     */
    static Series live(String id, Response states, int i, Instant now, long retentionMillis) {
        String value = states.get(3 * i).toString();
        String updatedAt = states.get(3 * i + 1).toString();
        // Live: present and not yet expired by the caller's clock (Redis' own expiry lags behind that rule).
        if (value.isEmpty() || Long.parseLong(updatedAt) + retentionMillis <= now.toEpochMilli()) {
            return null;
        }
        MetricPoint point = SeriesId.parse(id, SampleValue.parse(value), Instant.ofEpochMilli(Long.parseLong(updatedAt)));
        String written = states.get(3 * i + 2).toString();
        WriteSource source = WriteSource.parse(written).orElseThrow(() -> unexpected("states", "source " + written));
        return new Series(id, point, source);
    }

    /** {@code migrate.lua}: one step's outcome ({@code OK}, {@code DONE}, {@code BUSY}, {@code RETRY}) and ids listed. */
    record MigrateStep(String status, List<String> ids) {

        static MigrateStep decode(Response reply) {
            List<String> ids = new ArrayList<>(reply.size() - 1);
            for (int i = 1; i < reply.size(); i++) {
                ids.add(reply.get(i).toString());
            }
            return new MigrateStep(reply.get(0).toString(), ids);
        }
    }

    /** {@code due.lua}: the series ids and lock members due by now, up to a step each. */
    record Due(List<String> series, List<String> locks) {

        static Due decode(Response reply) {
            return new Due(strings(reply.get(0)), strings(reply.get(1)));
        }
    }

    /** {@code gc.lua}: what one bounded step removed. */
    record GcStep(int series, int locks, int tombstones, int families) {

        static GcStep decode(Response reply) {
            return new GcStep(reply.get(1).toInteger(), reply.get(2).toInteger(), reply.get(3).toInteger(),
                    reply.get(4).toInteger());
        }
    }

    /**
     * {@code probe.lua}: Redis' clock in ms, the namespace's layout ({@code ""} for none yet), and the eviction
     * policy Redis applies: its {@code maxmemory-policy}, or {@code noeviction} when {@code maxmemory} is 0 (no
     * limit, so nothing is ever evicted).
     */
    record Probe(long redisMillis, String layout, String evictionPolicy) {

        static Probe decode(Response reply) {
            boolean limited = !"0".equals(reply.get(4).toString());
            return new Probe(reply.get(0).toLong() * 1000 + reply.get(1).toLong() / 1000, reply.get(2).toString(),
                    limited ? reply.get(3).toString() : "noeviction");
        }
    }

    /**
     * {@code acquire.lua}: the lock was taken (or renewed by its holder), or another token holds it, or the token holds
     * it for another identity.
     */
    sealed interface Acquire permits Acquired, Held, OtherOwner {

        static Acquire decode(Response reply) {
            return switch (reply.get(0).toInteger()) {
                case 1 -> new Acquired(Long.parseLong(reply.get(1).toString()),
                        Instant.ofEpochMilli(Long.parseLong(reply.get(2).toString())), reply.get(3).toString());
                case 0 -> new Held(Instant.ofEpochMilli(Long.parseLong(reply.get(1).toString())),
                        Long.parseLong(reply.get(2).toString()), reply.get(3).toString());
                case -3 -> new OtherOwner();
                default -> throw unexpected("acquire", reply.get(0).toString());
            };
        }
    }

    /** Taken (or renewed by its holding token) with {@code fence} until {@code expiresAt}; a lock's holder is "". */
    record Acquired(long fence, Instant expiresAt, String holder) implements Acquire {
    }

    /** Held by another token until {@code expiresAt}, with its fence and holder ({@code ""} for a lock). */
    record Held(Instant expiresAt, long fence, String holder) implements Acquire {
    }

    /**
     * {@code extend.lua}: the holder's extend or release went through, or the lock is free, or held by another
     * identity or token.
     */
    sealed interface OwnerCall permits Owned, NotHeld, OtherToken, OtherOwner {

        static OwnerCall decode(Response reply) {
            return switch (reply.get(0).toInteger()) {
                case 1 -> new Owned(Long.parseLong(reply.get(1).toString()), reply.get(3).toString());
                case -1 -> new NotHeld();
                case -2 -> new OtherToken();
                case -3 -> new OtherOwner();
                default -> throw unexpected("extend", reply.get(0).toString());
            };
        }
    }

    /** Extended or released: the holder's fence and holder ({@code ""} for a lock). */
    record Owned(long fence, String holder) implements OwnerCall {
    }

    record NotHeld() implements OwnerCall {
    }

    record OtherToken() implements OwnerCall {
    }

    /** Held for another identity. */
    record OtherOwner() implements Acquire, OwnerCall {
    }

    /** {@code cursor.lua}: the epoch and the sequence. */
    static Cursor cursor(Response reply) {
        return cursor(reply.get(1), reply.get(2));
    }

    /** {@code families.lua}: name and description pairs, the description being the type, a newline and the help. */
    static List<Family> families(Response pairs) {
        List<Family> families = new ArrayList<>(pairs.size() / 2);
        for (int i = 0; i < pairs.size(); i += 2) {
            String name = pairs.get(i).toString();
            String described = pairs.get(i + 1).toString();
            int newline = described.indexOf('\n');
            MetricType type = MetricType.parse(described.substring(0, newline))
                    .orElseThrow(() -> unexpected("families", described));
            families.add(new Family(name, type, described.substring(newline + 1)));
        }
        return families;
    }

    /** {@code HMGET <lock key> fence exp}: the holder's fence and expiry, if the lock is held at {@code now}. */
    static Optional<LockState> lockState(LockKind kind, String key, Response fields, Instant now) {
        Response fence = fields.get(0);
        Response expiry = fields.get(1);
        if (fence == null || expiry == null) {
            return Optional.empty();
        }
        Instant expiresAt = Instant.ofEpochMilli(Long.parseLong(expiry.toString()));
        return expiresAt.isAfter(now)
                ? Optional.of(new LockState(kind, key, Long.parseLong(fence.toString()), expiresAt))
                : Optional.empty();
    }

    private static List<String> strings(Response list) {
        List<String> strings = new ArrayList<>(list.size());
        list.forEach(item -> strings.add(item.toString()));
        return strings;
    }

    private static Cursor cursor(Response epoch, Response sequence) {
        return new Cursor(epoch.toString(), Long.parseLong(sequence.toString()));
    }

    private static IllegalStateException unexpected(String script, String reply) {
        return new IllegalStateException(script + ".lua answered '" + reply + "', which this version does not know");
    }
}
