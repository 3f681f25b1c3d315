#!/bin/sh
# A stand-in for flite that writes a WAV header and 20 ms of sound, then hangs, so tests can
# check that cancellation kills the process. Its pid goes to $HANGFLITE_PIDFILE.
if [ "$1" = "-lv" ]; then echo "Voices available: slt"; exit 0; fi
echo $$ > "$HANGFLITE_PIDFILE"
printf 'RIFF\377\377\377\177WAVEfmt \020\000\000\000\001\000\001\000\200\076\000\000\000\175\000\000\002\000\020\000data\377\377\377\177'
head -c 640 /dev/zero | tr '\000' '\020'
exec sleep 60
