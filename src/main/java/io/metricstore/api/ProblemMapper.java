package io.metricstore.api;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.metricstore.auth.Audit;
import io.metricstore.auth.RoleCheck;
import io.metricstore.limits.TooManyReads;
import io.metricstore.store.BackendUnavailableException;
import io.metricstore.store.StoreException;
import io.metricstore.store.model.FieldError;
import io.metricstore.watch.TooManyWaiters;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Turns every failure into an {@code application/problem+json} response; never a stack trace. */
public class ProblemMapper {

    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    private final SecurityIdentity identity;

    public ProblemMapper(SecurityIdentity identity) {
        this.identity = identity;
    }

    @ServerExceptionMapper
    public Response store(StoreException e, HttpServerRequest request) {
        return problem(e, request.path()).toResponse();
    }

    static Problem problem(StoreException e, String path) {
        Problem problem = Problem.of(typeOf(e.kind()), e.getMessage(), path);
        if (e instanceof StoreException.Validation invalid) {
            return problem.withErrors(invalid.errors(), invalid.errorCount());
        }
        if (e instanceof StoreException.LockHeld held) {
            return problem.withLease(held.expiresAt().toString());
        }
        if (e instanceof StoreException.LeaseHeld held) {
            return problem.withHolder(held.holder().holder(), held.holder().fence(),
                    held.holder().expiresAt().toString());
        }
        if (e instanceof StoreException.NotLeader notLeader) {
            return notLeader.current().map(current -> problem.withHolder(current.holder(), current.fence(),
                    current.expiresAt().toString())).orElse(problem);
        }
        if (e instanceof StoreException.LockLost lost) {
            return problem.withLock(lost.lockKind().wire(), lost.key());
        }
        return problem;
    }

    /** Exhaustive: a new kind of refusal does not compile until it has a problem type. */
    static ProblemType typeOf(StoreException.Kind kind) {
        return switch (kind) {
            case VALIDATION -> ProblemType.VALIDATION;
            case WRITE_FORBIDDEN -> ProblemType.WRITE_FORBIDDEN;
            case BATCH_TOO_LARGE -> ProblemType.BATCH_TOO_LARGE;
            case SERIES_LIMIT_EXCEEDED -> ProblemType.SERIES_LIMIT_EXCEEDED;
            case FAMILY_LIMIT_EXCEEDED -> ProblemType.FAMILY_LIMIT_EXCEEDED;
            case MALFORMED_CURSOR -> ProblemType.MALFORMED_CURSOR;
            case MALFORMED_PAGE -> ProblemType.MALFORMED_PAGE;
            case CURSOR_EXPIRED -> ProblemType.CURSOR_EXPIRED;
            case LOCK_HELD -> ProblemType.LOCK_HELD;
            case LOCK_TOKEN_MISMATCH -> ProblemType.LOCK_TOKEN_MISMATCH;
            case LOCK_NOT_HELD -> ProblemType.LOCK_NOT_HELD;
            case NOT_OWNER -> ProblemType.NOT_OWNER;
            case LEASE_HELD -> ProblemType.LEASE_HELD;
            case LEASE_TOKEN_MISMATCH -> ProblemType.LEASE_TOKEN_MISMATCH;
            case LEASE_NOT_HELD -> ProblemType.LEASE_NOT_HELD;
            case NOT_LEADER -> ProblemType.NOT_LEADER;
            case LOCK_LOST -> ProblemType.LOCK_LOST;
        };
    }

    /**
     * No bearer token, or one that no identity source accepts. The detail says why (expired, another audience, …)
     * without echoing the token; the audit log records the refusal.
     */
    @ServerExceptionMapper({AuthenticationFailedException.class, UnauthorizedException.class})
    public Response unauthenticated(RuntimeException e, HttpServerRequest request) {
        boolean presented = e instanceof AuthenticationFailedException;
        String reason = presented && e.getMessage() != null ? e.getMessage() : "no bearer token was sent";
        Audit.refused("-", "authenticate", request.path(), reason);
        return Response.fromResponse(Problem.of(ProblemType.UNAUTHENTICATED, reason + ": send Authorization: Bearer "
                                + "<token> with a static token or a service-account token for audience metric-store",
                        request.path()).toResponse())
                .header("WWW-Authenticate", "Bearer realm=\"metric-store\"")
                .build();
    }

    /** Authenticated, without the role the endpoint declares with {@code @RolesAllowed}. */
    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, ResourceInfo resource, HttpServerRequest request) {
        RolesAllowed allowed = resource.getResourceMethod() == null ? null
                : resource.getResourceMethod().getAnnotation(RolesAllowed.class);
        String call = request.method() + " " + request.path();
        String caller = Audit.caller(identity);
        if (e instanceof RoleCheck.MissingRole missing) {
            return forbidden(call, caller, missing.role(), request);
        }
        if (allowed == null || allowed.value().length == 0) {
            // Denied because it declares no role (quarkus.security.jaxrs.deny-unannotated-endpoints).
            Audit.refused(caller, "authorize", call, "no role may call it");
            return Problem.of(ProblemType.FORBIDDEN, call + " is open to no role", request.path()).toResponse();
        }
        return forbidden(call, caller, allowed.value()[0], request);
    }

    private static Response forbidden(String call, String caller, String role, HttpServerRequest request) {
        Audit.refused(caller, "authorize", call, "needs role " + role);
        return Problem.of(ProblemType.FORBIDDEN, call + " needs the role '" + role + "', which " + caller
                + " does not hold: grant it with store.auth.grants." + role, request.path()).withRole(role).toResponse();
    }

    /** Bodies that are not JSON at all, or break a parser limit (a number with thousands of digits). */
    @ServerExceptionMapper({JsonParseException.class, StreamConstraintsException.class})
    public Response unparsable(JsonProcessingException e, HttpServerRequest request) {
        return Problem.of(ProblemType.MALFORMED_REQUEST, "the body is not valid JSON: " + e.getOriginalMessage(),
                request.path()).toResponse();
    }

    /** JSON of the wrong shape: a string where an array belongs, an unknown or duplicate field. */
    @ServerExceptionMapper({JsonMappingException.class, MismatchedInputException.class,
            InvalidFormatException.class, UnrecognizedPropertyException.class})
    public Response unmappable(JsonMappingException e, HttpServerRequest request) {
        String field = path(e.getPath());
        String message = e instanceof UnrecognizedPropertyException ? "is not a known field" : "has the wrong type";
        if (e.getCause() instanceof JsonParseException parse) {
            // Duplicate keys and other parser errors inside a known field arrive wrapped.
            message = parse.getOriginalMessage();
        }
        return Problem.of(ProblemType.MALFORMED_REQUEST, "the body does not match the expected JSON: "
                        + (field.isEmpty() ? "" : field + " ") + message, request.path())
                .withErrors(List.of(new FieldError(field.isEmpty() ? "$" : field, message)), 1)
                .toResponse();
    }

    /** Routing and content negotiation refusals from the REST layer (404, 405, 406, 415 and the like). */
    @ServerExceptionMapper
    public Response web(WebApplicationException e, HttpServerRequest request) {
        // The JSON reader reports some parse failures wrapped in a plain 400.
        if (e.getCause() instanceof JsonMappingException mapping) {
            return unmappable(mapping, request);
        }
        if (e.getCause() instanceof JsonProcessingException parse) {
            return unparsable(parse, request);
        }
        int status = e.getResponse().getStatus();
        if (status >= 500) {
            LOG.error("request failed", e);
            return Problem.of(ProblemType.INTERNAL_ERROR, "the server could not complete the request", request.path())
                    .toResponse();
        }
        ProblemType type = switch (status) {
            case 404 -> ProblemType.NOT_FOUND;
            case 405 -> ProblemType.METHOD_NOT_ALLOWED;
            case 406 -> ProblemType.NOT_ACCEPTABLE;
            case 413 -> ProblemType.BODY_TOO_LARGE;
            case 415 -> ProblemType.UNSUPPORTED_MEDIA_TYPE;
            default -> ProblemType.MALFORMED_REQUEST;
        };
        String detail = e instanceof LocksResource.UnknownKind ? e.getMessage() : frameworkDetail(status, e, request);
        return Problem.of(type, status, detail, request.path()).toResponse();
    }

    /** What to send instead, in the service's words, for the refusals that the REST layer makes by itself. */
    private static String frameworkDetail(int status, WebApplicationException e, HttpServerRequest request) {
        String path = request.path();
        return switch (status) {
            case 404 -> "there is nothing at " + path + ": the API is under /api/v1 and the series for Prometheus are "
                    + "at /metrics; the OpenAPI document (/q/openapi on the management port, 9000) lists every path";
            case 405 -> request.method() + " is not allowed on " + path + ": /q/openapi lists the methods of each path";
            case 406 -> path + " answers application/json (refusals as application/problem+json): send "
                    + "Accept: application/json, or no Accept header";
            case 413 -> "the body is larger than quarkus.http.limits.max-body-size";
            case 415 -> "send the body as JSON with the header Content-Type: application/json (curl -d sends a form "
                    + "unless you add -H 'Content-Type: application/json')";
            default -> e.getMessage() == null || e.getMessage().startsWith("HTTP ")
                    ? "the request is malformed" : e.getMessage();
        };
    }

    /**
     * The backend is down, too slow, or its circuit is open: the same request may succeed shortly. {@code Retry-After}
     * is the wait the exception carries (for Redis, the delay of the breaker that refused), in whole seconds, at least one.
     */
    @ServerExceptionMapper
    public Response unavailable(BackendUnavailableException e, HttpServerRequest request) {
        long seconds = Math.max(1, (e.retryAfter().toMillis() + 999) / 1000);
        return retryAfter(Problem.of(ProblemType.BACKEND_UNAVAILABLE, e.getMessage(), request.path()), seconds);
    }

    /**
     * Every waiting slot of this replica is taken. A waiter leaves within {@code store.changes.max-wait}, most much
     * sooner; a second is a retry that does not hammer the replica.
     */
    @ServerExceptionMapper
    public Response tooManyWaiters(TooManyWaiters e, HttpServerRequest request) {
        return retryAfter(Problem.of(ProblemType.TOO_MANY_WAITERS, e.getMessage(), request.path()), 1);
    }

    /** Every permit for snapshots and scrapes is taken: a snapshot or scrape takes a second or less. */
    @ServerExceptionMapper
    public Response tooManyReads(TooManyReads e, HttpServerRequest request) {
        return retryAfter(Problem.of(ProblemType.TOO_MANY_READS, e.getMessage(), request.path()), 1);
    }

    /** A refusal the same request may overcome later: {@code Retry-After} in whole seconds. */
    private static Response retryAfter(Problem problem, long seconds) {
        return Response.fromResponse(problem.toResponse()).header("Retry-After", seconds).build();
    }

    /**
     * The client closed its connection while its request was read: nobody is left to answer, and a client that goes
     * away is no fault of the service's, so it is no error in the log either.
     */
    @ServerExceptionMapper
    public Response unreadable(IOException e, HttpServerRequest request) {
        if (!clientGone(e)) {
            return unexpected(e, request);
        }
        LOG.debugf("the client of %s closed the connection before its request was read: %s", request.path(), e);
        return Problem.of(ProblemType.MALFORMED_REQUEST, "the request could not be read: the connection closed",
                request.path()).toResponse();
    }

    private static boolean clientGone(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof ClosedChannelException || cause instanceof HttpClosedException) {
                return true;
            }
        }
        return false;
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e, HttpServerRequest request) {
        LOG.error("unexpected failure", e);
        return Problem.of(ProblemType.INTERNAL_ERROR, "the server could not complete the request", request.path())
                .toResponse();
    }

    private static String path(List<JsonMappingException.Reference> references) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference reference : references) {
            if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            } else if (reference.getFieldName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(reference.getFieldName());
            }
        }
        return path.toString();
    }
}
