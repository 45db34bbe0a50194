# Helper program run by CallSubprocessExample: echoes its arguments and cwd.
import os
import sys

print("args=" + "|".join(sys.argv[1:]))
print("cwd=" + os.getcwd())
