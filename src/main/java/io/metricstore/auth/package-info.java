/**
 * Who is calling, and what it may do (SPEC §4): the two identity sources — Kubernetes service-account tokens
 * ({@link io.metricstore.auth.ServiceAccountTokens}, verified offline against a {@link io.metricstore.auth.Jwks} kept
 * current) and static bearer tokens ({@link io.metricstore.auth.StaticTokens}) — behind one
 * {@link io.metricstore.auth.BearerIdentityProvider}; roles from {@code store.auth.grants.*}
 * ({@link io.metricstore.auth.Grants}); the start-up check ({@link io.metricstore.auth.AuthStartup}) and the audit log
 * ({@link io.metricstore.auth.Audit}).
 *
 * <p>Endpoints declare their role with {@code @RolesAllowed} (names in {@link io.metricstore.auth.Roles}); Quarkus
 * Security enforces them and denies every endpoint without an annotation. With {@code store.auth.enabled=false}
 * every caller is {@link io.metricstore.auth.Roles#ANONYMOUS} holding every role. Depends on nothing else of the
 * service.
 */
package io.metricstore.auth;
