/*
 * job.c — an upload's import in a process of its own (job.h).
 */
#include "job.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "journal.h"

static void job_path(char *out, size_t n, const char *files_dir, long long id, const char *ext)
{
	snprintf(out, n, "%s/imports/%lld.%s", files_dir, id, ext);
}

/* The grandchild: the job itself.  Never returns. */
static void run(const char *db, const struct principal *p, const struct import_job *job,
		long long id, const char *csv, const char *log, const char *progress)
{
	const char *argv[32];
	char idarg[24];
	int n = 0, fd;

	setsid();
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
	}
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0)
		dup2(fd, STDIN_FILENO);
	close_range(3, ~0U, 0); /* the server's sockets and database stay the server's */
	snprintf(idarg, sizeof(idarg), "%lld", id);
	argv[n++] = "funnel";
	argv[n++] = "import";
	argv[n++] = "--db";
	argv[n++] = db;
	argv[n++] = "--job";
	argv[n++] = idarg;
	argv[n++] = "--progress-file";
	argv[n++] = progress;
	argv[n++] = "--file-name";
	argv[n++] = job->file_name;
	if (p->user_id) {
		argv[n++] = "--as";
		argv[n++] = p->email;
	}
	if (job->partial)
		argv[n++] = "--partial";
	if (job->preset) {
		argv[n++] = "--preset";
		argv[n++] = job->preset;
	}
	if (job->encoding) {
		argv[n++] = "--encoding";
		argv[n++] = job->encoding;
	}
	if (job->delimiter) {
		argv[n++] = "--delimiter";
		argv[n++] = job->delimiter;
	}
	if (job->date_format) {
		argv[n++] = "--date-format";
		argv[n++] = job->date_format;
	}
	if (job->map) {
		argv[n++] = "--map";
		argv[n++] = job->map;
	}
	argv[n++] = job->resource;
	argv[n++] = csv;
	argv[n] = NULL;
	execv("/proc/self/exe", (char *const *)argv);
	fprintf(stderr, "funnel import: cannot start the import: %s\n", strerror(errno));
	_exit(127);
}

int import_job_start(struct store *st, const struct principal *p, const char *files_dir,
		     const struct import_job *job, const char *upload, long long *id, struct err *e)
{
	char dir[4096], csv[4096], log[4096], progress[4096];
	long long pid = 0;
	int pipefd[2], rc, status;
	pid_t child;

	*id = 0;
	snprintf(dir, sizeof(dir), "%s/imports", files_dir);
	if (mkdir(files_dir, 0700) && errno != EEXIST)
		return fail(e, E_IO, "cannot make %s: %s", files_dir, strerror(errno));
	if (mkdir(dir, 0700) && errno != EEXIST)
		return fail(e, E_IO, "cannot make %s: %s", dir, strerror(errno));
	rc = journal_queue(st, p, job->resource, job->file_name, job->preset, id, e);
	if (rc)
		return rc;
	job_path(csv, sizeof(csv), files_dir, *id, "csv");
	job_path(log, sizeof(log), files_dir, *id, "log");
	job_path(progress, sizeof(progress), files_dir, *id, "progress");
	if (rename(upload, csv)) {
		rc = fail(e, E_IO, "cannot keep the upload: %s", strerror(errno));
		goto failed;
	}
	if (pipe2(pipefd, O_CLOEXEC)) {
		rc = fail(e, E_IO, "cannot start the import: %s", strerror(errno));
		goto failed;
	}
	/* fork twice: the job is no child of the server's (nothing to reap) */
	child = fork();
	if (child < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		rc = fail(e, E_IO, "cannot start the import: %s", strerror(errno));
		goto failed;
	}
	if (child == 0) {
		pid_t grandchild = fork();
		long long g = grandchild;

		if (grandchild == 0) {
			close(pipefd[0]);
			close(pipefd[1]);
			run(store_path(st), p, job, *id, csv, log, progress);
		}
		if (write(pipefd[1], &g, sizeof(g)) != sizeof(g))
			_exit(1);
		_exit(0);
	}
	close(pipefd[1]);
	if (read(pipefd[0], &pid, sizeof(pid)) != sizeof(pid))
		pid = -1;
	close(pipefd[0]);
	waitpid(child, &status, 0);
	if (pid <= 0) {
		rc = fail(e, E_IO, "cannot start the import");
		goto failed;
	}
	return journal_set_pid(st, *id, pid, e);
failed:
	journal_fail(st, *id, e->msg, NULL);
	unlink(csv);
	return rc;
}

void import_job_progress(const char *files_dir, long long id, long long *done, long long *total)
{
	char path[4096];
	FILE *f;

	*done = *total = 0;
	job_path(path, sizeof(path), files_dir, id, "progress");
	f = fopen(path, "r");
	if (!f)
		return;
	if (fscanf(f, "%lld %lld", done, total) != 2)
		*done = *total = 0;
	fclose(f);
}
