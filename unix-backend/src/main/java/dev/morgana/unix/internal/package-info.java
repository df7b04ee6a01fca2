/** What the backend's packages share and do not export: virtual threads on carriers of our choosing. */
package dev.morgana.unix.internal;
