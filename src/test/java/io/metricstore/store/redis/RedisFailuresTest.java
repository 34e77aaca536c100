package io.metricstore.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.metricstore.store.BackendUnavailableException;
import io.vertx.redis.client.impl.types.ErrorType;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Which error replies are outages (503), which of those refuse writes only (the writes breaker's alone), and which are
 * bugs (500), with the replies Redis 6.2 and 7.0 really send (taken from both servers; 6.2 wraps every error raised
 * inside a script).
 */
class RedisFailuresTest {

    private static final String[] WRITES_REFUSED = {
        "OOM command not allowed when used memory > 'maxmemory'. script: 0a9f75e9, on @user_script:1.",
        "OOM command not allowed when used memory > 'maxmemory'.",
        "ERR Error running script (call to f_0a9f75e9): @user_script:1: @user_script: 1: -OOM command not allowed "
                + "when used memory > 'maxmemory'.",
        "READONLY You can't write against a read only replica.",
        "ERR Error running script (call to f_1): @user_script:1: @user_script: 1: -READONLY You can't write against a "
                + "read only replica.",
        "READONLY You can't write against a read only replica. script: 1f2e, on @user_script:12.",
        "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk.",
        "ERR Error running script (call to f_1): @user_script:1: @user_script: 1: -MISCONF Errors writing to the AOF "
                + "file: No space left on device",
        "NOREPLICAS Not enough good replicas to write.",
    };

    /** Outages that stop reads as well as writes. */
    private static final String[] OTHER_OUTAGES = {
        "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.",
        "LOADING Redis is loading the dataset in memory",
        "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
        "CLUSTERDOWN The cluster is down",
        "ERR Error running script (call to f_1): @user_script:1: @user_script: 1: The cluster is down",
        "MOVED 3999 127.0.0.1:6381",
        "ASK 3999 127.0.0.1:6381",
        "TRYAGAIN Multiple keys request during rehashing of slot",
        "ERR Error running script (call to f_1): @user_script:1: @user_script: 1: Lua script attempted to access a non "
                + "local key in a cluster node",
        "ERR Script attempted to access a non local key in a cluster node script: 1f2e, on @user_script:12.",
        "ERR Error running script (call to f_694a5fe1): @user_script:1: Script killed by user with SCRIPT KILL...",
        "ERR Script killed by user with SCRIPT KILL... script: 694a5fe1, on @user_script:1.",
        "ERR Error running script (call to f_b1b251dd): @user_script:1: @user_script: 1: The user executing the script "
                + "can't run this command or subcommand",
        "ERR The user executing the script can't run this command or subcommand script: b1b251dd, on @user_script:1.",
        "NOPERM this user has no permissions to run the 'info' command",
        "ERR Error running script (call to f_2bd9b870): @user_script:1: user_script:1: NOORIGIN Redis did not report "
                + "its run id and replication id (INFO server, INFO replication)",
        "ERR user_script:1: NOORIGIN Redis did not report its run id and replication id (INFO server, INFO "
                + "replication) script: 2bd9b870, on @user_script:1.",
        "NOAUTH Authentication required.",
        "ERR max number of clients reached",
    };

    private static RuntimeException translated(String reply) {
        return RedisFailures.translate(new RuntimeException(ErrorType.create(reply)), Duration.ofSeconds(5));
    }

    static String[] writesRefused() {
        return WRITES_REFUSED;
    }

    /** A server that is up but refuses writes: a 503 for the write, while reads go on. */
    @ParameterizedTest
    @MethodSource("writesRefused")
    void aServerThatRefusesWritesOnlyIsAnOutageOfWrites(String reply) {
        assertThat(translated(reply)).isInstanceOf(WritesRefused.class)
                .hasMessageContaining("reads are still served");
    }

    static String[] otherOutages() {
        return OTHER_OUTAGES;
    }

    @ParameterizedTest
    @MethodSource({"writesRefused", "otherOutages"})
    void aServerThatCannotServeNowIsAnOutage(String reply) {
        assertThat(translated(reply)).isInstanceOf(BackendUnavailableException.class);
    }

    /** Whatever stops reads too counts on both breakers: not a refusal of writes only. */
    @ParameterizedTest
    @MethodSource("otherOutages")
    void aServerThatCannotServeReadsEitherIsNotARefusalOfWrites(String reply) {
        assertThat(translated(reply)).isInstanceOf(BackendUnavailableException.class)
                .isNotInstanceOf(WritesRefused.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "WRONGTYPE Operation against a key holding the wrong kind of value",
        "ERR Error compiling script (new function): user_script:1: unexpected symbol near '<eof>'",
        "ERR Error running script (call to f_2063962): @user_script:1: @user_script: 1: Unknown Redis command called "
                + "from Lua script",
        "ERR Unknown Redis command called from script script: 206396248e12, on @user_script:1.",
        "ERR user_script:3: attempt to compare nil with number script: 1f2e, on @user_script:3.",
        "ERR wrong number of arguments for 'hset' command",
        "ERR syntax error",
    })
    void aCommandRedisRejectsIsABug(String reply) {
        assertThat(translated(reply)).isInstanceOf(IllegalStateException.class).hasMessageContaining(reply);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Connection refused: localhost/127.0.0.1:6379", "Connection reset"})
    void aFailureWithoutAReplyIsAnOutage(String message) {
        assertThat(RedisFailures.translate(new IllegalStateException(message), Duration.ofSeconds(5)))
                .isInstanceOf(BackendUnavailableException.class).isNotInstanceOf(WritesRefused.class)
                .hasMessageContaining(message);
    }
}
