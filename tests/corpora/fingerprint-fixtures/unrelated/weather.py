import argparse
import json
import urllib.request


def fetch_weather(city, api_key):
    url = f"https://weather.example/v1/current?q={city}&key={api_key}"
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def format_report(data):
    current = data["current"]
    parts = [
        data["location"]["name"],
        f"{current['temp_c']:.1f} C",
        current["condition"]["text"].lower(),
    ]
    if current.get("wind_kph", 0) > 30:
        parts.append("windy")
    return ", ".join(parts)


def main():
    parser = argparse.ArgumentParser(description="Print the weather.")
    parser.add_argument("cities", nargs="+")
    parser.add_argument("--key", required=True)
    args = parser.parse_args()
    for city in args.cities:
        try:
            print(format_report(fetch_weather(city, args.key)))
        except OSError as error:
            print(f"{city}: {error}")


if __name__ == "__main__":
    main()
