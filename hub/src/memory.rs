//! Process-wide memory settings of the hub's long-running process.

/// Hold glibc's malloc to two arenas. By default glibc gives threads that
/// allocate at once arenas of their own (up to eight per core, 64 MB
/// reserved each) and keeps what they freed: a hub at rest with thousands of
/// devices held ~300 MB in them over a ~150 MB heap (Benchmarks, P3 and P9).
/// Two arenas cost no throughput measured there. Call before the runtime
/// starts its threads; a `MALLOC_ARENA_MAX` in the environment wins.
pub fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        #[allow(
            unsafe_code,
            reason = "mallopt has no safe wrapper; it only sets a limit glibc reads when it creates an arena"
        )]
        // SAFETY: mallopt takes two integers and changes no memory the
        // program holds; M_ARENA_MAX is a documented glibc parameter.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
    }
}
