"""Run every tests/api/test_*.py against the real server; print a summary
line 'N passed, N failed' that CI reads.  An argument is a file pattern
(test_auth*.py), or several are module names (test_auth test_records)."""
import os
import sys
import unittest

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
args = sys.argv[1:]
if len(args) > 1 or (args and "*" not in args[0] and not args[0].endswith(".py")):
    # module names (tests/api/run-pg.sh passes the files that pass on PostgreSQL)
    suite = unittest.defaultTestLoader.loadTestsFromNames(args)
else:
    pattern = args[0] if args else "test_*.py"
    suite = unittest.defaultTestLoader.discover(here, pattern=pattern, top_level_dir=here)
result = unittest.TextTestRunner(verbosity=2).run(suite)
failed = len(result.failures) + len(result.errors)
passed = result.testsRun - failed - len(result.skipped)
print("api: %d passed, %d failed, %d skipped" % (passed, failed, len(result.skipped)))
sys.exit(1 if failed or result.testsRun == 0 else 0)
