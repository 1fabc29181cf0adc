"""Run every tests/api/test_*.py against the real server; print a summary
line 'N passed, N failed' that CI reads."""
import os
import sys
import unittest

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
pattern = sys.argv[1] if len(sys.argv) > 1 else "test_*.py"
suite = unittest.defaultTestLoader.discover(here, pattern=pattern, top_level_dir=here)
result = unittest.TextTestRunner(verbosity=2).run(suite)
failed = len(result.failures) + len(result.errors)
passed = result.testsRun - failed - len(result.skipped)
print("api: %d passed, %d failed, %d skipped" % (passed, failed, len(result.skipped)))
sys.exit(1 if failed or result.testsRun == 0 else 0)
