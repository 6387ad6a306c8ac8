#!/bin/sh
# Back up home directories to the NAS, keeping seven daily archives.
set -e

DEST=/mnt/nas/backups
STAMP=$(date +%Y-%m-%d)

mkdir -p "$DEST"
for dir in /home/*; do
    user=$(basename "$dir")
    tar -czf "$DEST/$user-$STAMP.tar.gz" -C /home "$user"
done

ls -1t "$DEST"/*.tar.gz | tail -n +8 | while read -r old; do
    rm -f "$old"
done

echo "backup finished: $(du -sh "$DEST" | cut -f1) used"
