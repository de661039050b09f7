/**
 * The maths of distribution as immutable values: the stable partition hash, members and the ring
 * (epoch, owners per partition). Plain Java: no Quarkus, Jakarta, Vert.x or fabric8.
 */
package io.stored.ring;
