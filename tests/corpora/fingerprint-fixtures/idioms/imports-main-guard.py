import csv
import decimal
import os
import sys


if __name__ == "__main__":
    main()
