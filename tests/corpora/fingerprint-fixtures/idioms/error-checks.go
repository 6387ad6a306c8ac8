f, err := os.Open(path)
if err != nil {
	return err
}
defer f.Close()
data, err := io.ReadAll(f)
if err != nil {
	return err
}
if err := json.Unmarshal(data, &cfg); err != nil {
	return err
}
