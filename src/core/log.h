/*
 * log.h — plain log lines on stderr: "2026-11-22T10:00:00Z level message".
 * Safe from several threads (one write(2) per line).
 */
#ifndef FUNNEL_LOG_H
#define FUNNEL_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

extern enum log_level log_min_level;

void log_msg(enum log_level lv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
