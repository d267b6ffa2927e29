// Tasks module: see README.md's layout table.
