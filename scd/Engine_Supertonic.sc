// Engine_Supertonic: the supertonic drum voice (defs/voice.scd) as a norns engine.
//
// Commands (tracks are 1-8; units as voice.scd's controls: Hz, seconds, semitones, dB,
// percent for the sensitivities, mix = noise share 0-1; modes are integers):
//   trig(vel, <all parameters below, in order>)  one hit with these parameters
//   hit(track, vel)                              one hit with the track's parameters
//   <parameter>(track, value)                    set one of the track's parameters
// vel is 1-127 (64 normal, 127 accent). A hit on a track with choke 1 cuts every
// sounding choke hit first, as Microtonic's choke group does.
//
// Each mode combination has its own SynthDef. The engine builds and sends one when a
// setter or a hit first needs it (a hit waiting for its def plays a few ms late), so
// norns never builds all 138.
Engine_Supertonic : CroneEngine {
	// [name, OSC type, initial value]; modes: osc_wave 0 Sine 1 Triangle 2 Saw,
	// mod_mode 0 Decay 1 Sine 2 Noise, nfil_mod 0 LP 1 BP 2 HP, nenv_mod 0 Exp 1 Linear
	// 2 Mod; nstereo and choke 0 Off 1 On.
	classvar <parameters = #[
		[\osc_wave, $i, 0], [\osc_freq, $f, 100], [\osc_atk, $f, 0], [\osc_dcy, $f, 0.3],
		[\mod_mode, $i, 0], [\mod_rate, $f, 0.1], [\mod_amt, $f, 0],
		[\nfil_mod, $i, 0], [\nfil_frq, $f, 20000], [\nfil_q, $f, 0.7071], [\nstereo, $i, 0],
		[\nenv_mod, $i, 0], [\nenv_atk, $f, 0], [\nenv_dcy, $f, 0.3], [\mix, $f, 0.5],
		[\dist_amt, $f, 0], [\eq_freq, $f, 1000], [\eq_gain, $f, 0], [\level, $f, 0],
		[\pan, $f, 0], [\choke, $i, 0], [\osc_vel, $f, 0], [\noise_vel, $f, 0], [\mod_vel, $f, 0]
	];
	classvar <tracks = 8;

	var builders, defName, loaded, trackParameters, voiceGroup, chokeGroup;

	*new { |context, doneCallback| ^super.new(context, doneCallback) }

	alloc {
		var source = PathName(this.class.filenameSymbol.asString).pathOnly +/+ "defs/voice.scd";
		~supertonicDefDir = nil;  // voice.scd then defines its builders without writing files
		source.load;
		defName = ~supertonicVoiceDefName;
		builders = IdentityDictionary.new;
		~supertonicVoiceDefs.do { |entry| builders[entry[0]] = entry[1] };
		loaded = IdentityDictionary.new;
		voiceGroup = Group.new(context.xg);
		chokeGroup = Group.after(voiceGroup);
		trackParameters = Array.fill(tracks, {
			IdentityDictionary.newFrom(parameters.collect { |p| [p[0], p[2]] }.flatten)
		});
		trackParameters.do { |p| this.prepare(p).wait };

		this.addCommand(\trig, "f" ++ String.newFrom(parameters.collect(_[1])), { |msg|
			var p = IdentityDictionary.new;
			parameters.do { |spec, i| p[spec[0]] = msg[i + 2] };
			this.play(p, msg[1]);
		});
		this.addCommand(\hit, "if", { |msg| this.play(trackParameters[msg[1] - 1], msg[2]) });
		parameters.do { |spec|
			this.addCommand(spec[0], "i" ++ spec[1], { |msg|
				var p = trackParameters[msg[1] - 1];
				p[spec[0]] = msg[2];
				this.prepare(p);
			});
		};
	}

	// The def for these parameters, sent to the server once; its Condition turns true
	// when the server has loaded it (a hit sent earlier would find no def).
	prepare { |p|
		var name = defName.(p);
		^loaded[name] ?? {
			var done = Condition(false);
			loaded[name] = done;
			fork {
				builders[name].value.add;
				context.server.sync;
				done.test = true;
				done.signal;
			};
			done
		}
	}

	play { |p, vel|
		var choke = p[\choke].asInteger > 0;
		var controls = [\vel, vel, \out, context.out_b.index] ++ parameters.collect { |spec|
			[spec[0], p[spec[0]]]
		}.flatten;
		var synth = Synth.basicNew(defName.(p), context.server);
		var bundle = [synth.newMsg(if(choke) { chokeGroup } { voiceGroup }, controls, \addToTail)];
		var loading = this.prepare(p);
		if(choke) { bundle = [chokeGroup.setMsg(\gate, 0)] ++ bundle };
		if(loading.test) { context.server.sendBundle(nil, *bundle) } {
			fork { loading.wait; context.server.sendBundle(nil, *bundle) };
		};
	}

	free {
		voiceGroup.free;
		chokeGroup.free;
	}
}
