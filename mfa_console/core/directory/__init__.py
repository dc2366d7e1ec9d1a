"""Directory integration: settings, connection (TLS, failover, bind), reading users, the staged
Test, browsing, and importing directory users into the data file."""
