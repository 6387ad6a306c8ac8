for (int i = 0; i < n; i++) {
    sum += values[i];
}
