package mcpserver

import "github.com/modelcontextprotocol/go-sdk/mcp"

// addAgentTools adds the AI-agent profile exports (agent_card,
// agent_system_prompt).
func (s *session) addAgentTools(srv *mcp.Server) {}
