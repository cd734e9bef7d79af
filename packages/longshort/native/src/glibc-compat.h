// Force-included into every object of the addon (build.mjs: -include): binds the few glibc
// symbols whose default version is newer than 2.17 to older versions, so one prebuilt .node loads
// on glibc ≥ 2.17 (2012; Node 20 itself needs 2.28) although it is built on a current Debian.
// (pthread_* moved into libc.so.6 with new versions in glibc 2.34; memcpy got a new version in 2.14.
// The old versions remain in every newer glibc, and they do the same thing for these uses.)
// build.mjs runs objdump -T on the built .node and fails if anything newer than 2.17 slipped in.

#if defined(__linux__) && defined(__x86_64__)
__asm__(".symver memcpy,memcpy@GLIBC_2.2.5");
__asm__(".symver pthread_create,pthread_create@GLIBC_2.2.5");
__asm__(".symver pthread_join,pthread_join@GLIBC_2.2.5");
#elif defined(__linux__) && defined(__aarch64__)
__asm__(".symver pthread_create,pthread_create@GLIBC_2.17");
__asm__(".symver pthread_join,pthread_join@GLIBC_2.17");
#endif
